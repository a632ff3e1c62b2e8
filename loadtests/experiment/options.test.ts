import { describe, expect, it } from "vitest";
import { minimist } from "zx";
import { EXPERIMENT_USAGE, OptionsError, parseOptions, wantsHelp } from "./options";

const parse = (line: string) => parseOptions(minimist(line.split(" ").filter(Boolean), { boolean: ["deploy"], default: { deploy: true } }));

describe("experiment options", () => {
  it("documents every flag the parser accepts in --help", () => {
    const flags = ["env", "profile", "scenarios", "repeat", "out", "speedup", "api-instances", "base-url", "no-deploy", "no-cpu-quota", "baseline", "help"];
    for (const flag of flags) expect(EXPERIMENT_USAGE).toMatch(new RegExp(`^  --${flag}\\b`, "m"));
    // Each documented flag (but --help) parses, so the text cannot advertise a flag that does not exist.
    const samples: Record<string, string> = { env: "dev", profile: "capacity", scenarios: "read", repeat: "2", out: "x", speedup: "1,2", "base-url": "http://h:1", baseline: "results/before" };
    for (const [flag, value] of Object.entries(samples)) expect(() => parse(`--${flag} ${value}`)).not.toThrow();
    expect(() => parse("--api-instances 2")).not.toThrow();
    expect(wantsHelp(minimist(["--help"]))).toBe(true);
    expect(wantsHelp(minimist(["-h"]))).toBe(true);
    expect(wantsHelp(minimist(["--env", "dev"]))).toBe(false);
  });

  it("defaults to the quick profile of every scenario, locally, once", () => {
    expect(parse("")).toEqual({ env: "local", profile: "quick", scenarios: ["read", "mixed", "async"], repeat: 1, deploy: true, cpuQuota: true });
  });

  it("reads every flag", () => {
    expect(parse("--env dev --profile paper --scenarios read,async --repeat 3 --out results/x --speedup 1,2,4 --no-deploy --baseline results/y")).toEqual({
      env: "dev",
      profile: "paper",
      scenarios: ["read", "async"],
      repeat: 3,
      out: "results/x",
      speedup: [1, 2, 4],
      deploy: false,
      cpuQuota: true,
      baseline: "results/y",
    });
    expect(parse("--api-instances 2 --base-url http://127.0.0.1:8000 --no-cpu-quota")).toMatchObject({ apiInstances: 2, baseUrl: "http://127.0.0.1:8000", cpuQuota: false });
  });

  it("runs the resilience scenario when asked, after the load scenarios, and in the smoke profile by default", () => {
    expect(parse("--scenarios resilience")).toMatchObject({ scenarios: [], resilience: true });
    expect(parse("--scenarios read,resilience")).toMatchObject({ scenarios: ["read"], resilience: true });
    expect(parse("--profile smoke")).toMatchObject({ scenarios: ["read", "mixed", "async"], resilience: true });
    expect(parse("--profile smoke --scenarios read").resilience).toBeUndefined();
    expect(parse("--profile quick").resilience).toBeUndefined();
    expect(EXPERIMENT_USAGE).toContain("read,mixed,async,resilience");
  });

  it.each([
    ["--scenarios resilience --base-url http://127.0.0.1:8000", "--scenarios resilience stops and starts the system's parts, so it needs the system this command starts"],
    ["--env moon", "--env must be one of local, dev, staging, prod"],
    ["--profile huge", "--profile must be one of smoke, quick, paper, capacity"],
    ["--scenarios read,write", "--scenarios takes a comma-separated list of read, mixed, async"],
    ["--repeat 0", "--repeat must be at least 1"],
    ["--repeat 2.5", "--repeat must be a whole number"],
    ["--speedup 4", "--speedup needs at least two instance counts"],
    ["--base-url nope", "--base-url must be a URL such as http://127.0.0.1:8000"],
    ["--frobnicate 1", "unknown option --frobnicate"],
    ["read", 'unexpected argument "read" (flags start with --)'],
    ["--env dev --api-instances 2", "--api-instances applies to --env local; in the cloud the stack's max instances decide"],
    ["--env dev --no-cpu-quota", "--no-cpu-quota applies to --env local; in the cloud Cloud Run sets each instance's vCPUs"],
  ])("%s is refused with a message naming the flag", (line, message) => {
    expect(() => parse(line)).toThrow(OptionsError);
    expect(() => parse(line)).toThrow(message);
  });
});
