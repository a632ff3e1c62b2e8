import { describe, expect, it } from "vitest";
import { findCdktfInvocation, parseCdktfArgs } from "./cdktf-invocation";

describe("reading the cdktf command off a command line", () => {
  it.each([
    [["node", "/repo/node_modules/.bin/cdktf", "deploy", "prod", "--auto-approve"], { command: "deploy", stacks: ["prod"] }],
    [["node", "/usr/lib/node_modules/cdktf-cli/bundle/bin/cdktf", "diff", "dev", "staging"], { command: "diff", stacks: ["dev", "staging"] }],
    [["cdktf", "deploy", "--parallelism", "2", "--var-file", "x.tfvars", "dev"], { command: "deploy", stacks: ["dev"] }],
    [["cdktf", "synth"], { command: "synth", stacks: [] }],
    [["sh", "-c", "cdktf", "deploy", "dev"], { command: "deploy", stacks: ["dev"] }],
  ])("%j", (args, expected) => {
    expect(parseCdktfArgs(args)).toEqual(expected);
  });

  it("ignores command lines that are not the cdktf CLI", () => {
    expect(parseCdktfArgs(["node", "stacks/main.ts"])).toBeUndefined();
    expect(parseCdktfArgs(["npm", "exec", "cdktf-foo", "deploy"])).toBeUndefined();
    expect(parseCdktfArgs(["cdktf", "--version"])).toBeUndefined();
  });

  it("finds no cdktf among the ancestors of a test run", () => {
    expect(findCdktfInvocation()).toBeUndefined();
  });
});
