/**
 * End to end: `npm run experiment -- --profile smoke` against the local system (real PostgreSQL,
 * Redis and the app bundle's roles), then checks the report it wrote. The SLO verdict itself is
 * not asserted (this machine runs other tests at the same time); completeness and the task audit
 * are, and so is every resilience verdict: the smoke profile also stops and restarts each
 * component under load, on throwaway servers of its own, and nothing may be lost.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_FAULTS } from "../resilience/faults";
import type { AsyncScenarioResult, HttpScenarioResult, Summary } from "../results";
import { scenarioFor, type HttpScenario } from "../scenarios";

const run = promisify(execFile);
const REPO = join(__dirname, "..", "..");
let outDir = "";
let exitCode = -1;
let stdout = "";
let summary: Summary;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "experiment-e2e-"));
  try {
    ({ stdout } = await run(process.execPath, ["--import", "tsx", "scripts/experiment.ts", "--profile", "smoke", "--out", outDir], { cwd: REPO, env: process.env, maxBuffer: 16 * 1024 * 1024 }));
    exitCode = 0;
  } catch (error) {
    exitCode = (error as { code?: number }).code ?? -1;
    stdout = (error as { stdout?: string }).stdout ?? "";
    if (exitCode !== 1) throw error; // 1 = an SLO verdict failed; anything else is a broken run
  }
  summary = JSON.parse(await readFile(join(outDir, "summary.json"), "utf8")) as Summary;
}, 420_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe("npm run experiment -- --profile smoke", () => {
  it("exits 0, or 1 exactly when the summary says an SLO failed", () => {
    expect(exitCode === 0 ? summary.verdict.ok : !summary.verdict.ok).toBe(true);
  });

  it("prints the live view's URL first", () => {
    expect(stdout.split("\n")[0]).toMatch(/^live view: (\x1b\[\d+m)?http:\/\/127\.0\.0\.1:\d+\//);
  });

  it("writes a complete summary: every scenario, every stage, machine and versions", () => {
    expect(summary.environment).toBe("local");
    expect(summary.profile).toBe("smoke");
    expect(summary.scenarios.map((s) => s.name)).toEqual(["read", "mixed", "async"]);
    for (const name of ["read", "mixed"] as const) {
      const result = summary.scenarios.find((s) => s.name === name) as HttpScenarioResult;
      const planned = scenarioFor(name, "smoke") as HttpScenario;
      expect(result.stages.map((s) => s.vus)).toEqual(planned.stages.map((s) => s.vus));
      for (const stage of result.stages) {
        expect(stage.requests).toBeGreaterThan(0);
        expect(stage.p50).toBeGreaterThan(0);
        expect(stage.p95).toBeGreaterThanOrEqual(stage.p50);
        expect(stage.p99).toBeGreaterThanOrEqual(stage.p95);
        expect(stage.slo).toHaveProperty("ok");
      }
      expect(result.generator?.cpuPercentOfOneCore).toBeGreaterThan(0);
      // The tiny open-model ramp: the capacity profile's code path, far below any knee.
      const open = planned.open!;
      expect(result.open!.steps.length).toBeGreaterThanOrEqual(1);
      expect(result.open!.steps[0]!.rps).toBe(open.startRps);
      for (const step of result.open!.steps) {
        expect(step.offered).toBe(step.rps * open.stepSeconds);
        expect(step.p95).toBeGreaterThan(0);
        expect(step.generatorCpuShare).toBeGreaterThan(0);
      }
      expect(result.knee).toEqual(result.open!.knee);
      // The knee carries the generator's share at the held step (0 when a busy CI machine breaks the first step).
      const held = [...result.open!.steps].reverse().find((step) => step.slo.ok && step.rps === result.knee!.heldRps);
      expect(result.knee!.generatorCpuShare).toBe(held?.generatorCpuShare ?? 0);
    }
    expect(summary.machine.cpus).toBeGreaterThan(0);
    expect(summary.versions.node).toBe(process.version);
  });

  it("drains every task once: none lost, none duplicated", () => {
    const drained = summary.scenarios.find((s) => s.name === "async") as AsyncScenarioResult;
    expect(drained.tasks).toBe(2000);
    expect(drained.lost).toBe(0);
    expect(drained.duplicated).toBe(0);
    expect(drained.tasksPerSecond).toBeGreaterThan(0);
    expect(drained.timeline.at(-1)!.completed).toBe(2000);
    // Published with delivery paused, then the drain timed alone: nothing categorised before it.
    expect(drained.drainMode).toBe("after-publish");
    expect(drained.drainStartedAt).toBeGreaterThanOrEqual(drained.publishSeconds);
    expect(drained.timeline.filter((p) => p.t < drained.publishSeconds).every((p) => p.completed === 0)).toBe(true);
    expect(drained.tasksPerSecond).toBeCloseTo(2000 / drained.drainSeconds, 6);
  });

  it("stops and restarts every component under load and holds every resilience verdict", async () => {
    const resilience = summary.resilience!;
    expect(resilience.faults.map((f) => f.name)).toEqual([...LOCAL_FAULTS]);
    const failed = resilience.faults.filter((f) => !f.verdict.ok).map((f) => `${f.name}: ${f.verdict.failures.join("; ")}`);
    expect(failed).toEqual([]);
    expect(resilience.verdict).toEqual({ ok: true, failures: [] });
    for (const f of resilience.faults) {
      expect(f.requests, f.name).toBeGreaterThan(0);
      expect(f.recoverySeconds, f.name).not.toBeNull();
      expect([f.lost, f.duplicated, f.missingWrites, f.duplicateWrites, f.stackTraces], f.name).toEqual([0, 0, 0, 0, 0]);
    }
    const byName = new Map(resilience.faults.map((f) => [f.name, f]));
    expect(byName.get("worker-kill")!.drain!.drainedAt).not.toBeNull();
    expect(byName.get("api-rolling-restart")!.connectionResets).toBe(0);
    expect(byName.get("redis-restart")!.readiness!.probesWhileDown).toBeGreaterThan(0);
    expect(byName.get("redis-restart")!.unavailable).toBeGreaterThan(0); // refused fast, with Retry-After
    expect(byName.get("realtime-kill")!.realtime.stoppedInstanceClosed).toBe(byName.get("realtime-kill")!.realtime.stoppedInstanceClients);
    expect(resilience.totals.writesCommitted).toBeGreaterThan(0);
    expect(resilience.totals.unbalancedAccounts).toBe(0);
    expect(resilience.dataServices).toContain("throwaway");
    const report = await readFile(join(outDir, "report.md"), "utf8");
    expect(report).toContain("## Resilience: each component stopped under load");
    for (const name of LOCAL_FAULTS) expect(report).toMatch(new RegExp(`\\| \\d ${name} \\|.*\\| held \\|`));
    expect(existsSync(join(outDir, "figures", "resilience-timeline.svg"))).toBe(true);
  });

  it("keeps each role's info lines in logs/ (start-up and clean shutdown)", async () => {
    const logs = await readdir(join(outDir, "logs"));
    for (const role of ["api", "worker", "dispatcher", "realtime"]) {
      const file = logs.find((f) => f.startsWith(role))!;
      // The role's JSON lines (the cluster launcher adds plain-text lines of its own, like Cloud Run's platform messages).
      const lines = (await readFile(join(outDir, "logs", file), "utf8"))
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { severity: string; message: string });
      expect(lines.some((l) => l.severity === "INFO" && l.message === `${role} listening`), role).toBe(true);
      expect(lines.some((l) => l.message === "stopped cleanly"), role).toBe(true);
    }
  });

  it("writes the report, the figures and the raw data", async () => {
    for (const file of ["report.md", "report.html", "raw/stages.csv", "raw/steps.csv", "raw/timeline.csv", "figures/read-latency.svg", "figures/mixed-latency.svg", "figures/read-knee.svg", "figures/mixed-timeseries.svg", "figures/async-drain.svg"]) {
      expect(existsSync(join(outDir, file)), file).toBe(true);
    }
    const html = await readFile(join(outDir, "report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toContain("<img");
  });
});
