/** Builds an Edge in front of two real AppServices and reads the synthesized edge back, for the edge's tests. */
import { expect } from "vitest";
import { AppService } from "../../constructs/app-service";
import { Edge, type EdgeProps } from "../../constructs/edge";
import { AnnotationMetadataEntryType } from "../../lib/cdktf";
import { BASE, network } from "./fixtures";
import { resourcesAt, synthStack, type SynthesizedJson } from "./synth";

export const PROD_DOMAINS = ["valorize.example.com", "www.valorize.example.com"];
/** The static site from a public bucket instead of the api. */
export const FROM_BUCKET = { serveFrom: "bucket" } as const;

/** The edge with the given options over its required props only. */
export function synthEdge(options: Partial<Omit<EdgeProps, "project" | "region" | "namePrefix" | "api" | "realtime">> = {}) {
  let edge!: Edge;
  const out = synthStack((stack) => {
    const net = network(stack);
    const service = (role: "api" | "realtime") => new AppService(stack, role, { ...BASE, role, image: "us-docker.pkg.dev/acme/app/app@sha256:0123", network: net });
    edge = new Edge(stack, "edge", { ...BASE, api: service("api"), realtime: service("realtime"), labels: { env: "test" }, ...options });
  });
  const messages = (type: AnnotationMetadataEntryType) => edge.node.metadata.filter((entry) => entry.type === type).map((entry) => String(entry.data));
  return { ...out, edge, warnings: messages(AnnotationMetadataEntryType.WARN), infos: messages(AnnotationMetadataEntryType.INFO) };
}

/** The one resource of a type under the edge construct. */
export function one(json: SynthesizedJson, type: string, fragment = "edge_"): any {
  const found = resourcesAt(json, type, fragment);
  if (found.length !== 1) throw new Error(`expected one ${type} matching ${fragment}, found ${found.length}`);
  return found[0];
}

export const backend = (json: SynthesizedJson, role: "api" | "realtime") => one(json, "google_compute_backend_service", `edge_${role}-backend`);

/** A Terraform reference to a resource of the edge, as the synthesized JSON spells it. */
export const ref = (type: string, fragment: string, attribute = "id") => expect.stringMatching(new RegExp(`^\\$\\{${type}\\.edge_${fragment}_[0-9A-F]+\\.${attribute}\\}$`));

export const armorRules = (json: SynthesizedJson, fragment = "edge_armor_") => one(json, "google_compute_security_policy", fragment).rule as any[];
