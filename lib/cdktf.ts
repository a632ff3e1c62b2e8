/**
 * The single seam between this project and CDK for Terraform.
 *
 * HashiCorp archived cdktf (0.21.0 is the last release); the community fork (CDK Terrain) is a
 * drop-in rename. Every other module imports the framework from here, so moving to the fork is a
 * change to this file only. A test (test/architecture.test.ts) fails on any other `cdktf` import.
 */
export * from "cdktf";
export { Construct } from "constructs";
export type { IConstruct } from "constructs";
