import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderSvg } from "../report/figures";
import { summaryLines } from "../report/summary-lines";
import { writeReport } from "../report/write-report";
import { PROFILES } from "../scenarios";
import { summary as makeSummary } from "../test-support/fixtures";
import { faultSpec, LOCAL_FAULTS } from "./faults";
import { resilienceCsv, resilienceLines, resilienceSection, resilienceTimeline } from "./report";
import type { FaultResult, ResilienceResult } from "./types";

const settings = PROFILES.smoke.resilience;

function fault(index: number, failures: string[] = []): FaultResult {
  const spec = faultSpec(LOCAL_FAULTS[index]!, settings);
  return {
    name: spec.name,
    component: spec.component,
    action: spec.action,
    promise: spec.promise,
    injectedAt: 5 + index * 8,
    backAt: 7 + index * 8,
    recoveredAt: 7 + index * 8,
    recoverySeconds: 0,
    windowSeconds: 2,
    requests: 100,
    errors: index === 4 ? 60 : 0,
    errorRate: index === 4 ? 0.6 : 0,
    serverErrors: index === 4 ? 60 : 0,
    unavailable: index === 4 ? 60 : 0,
    connectionResets: index === 2 ? 1 : 0,
    failedAfterRetries: 0,
    stackTraces: 0,
    writesCommitted: 24,
    tasks: 24 + (spec.midDrain ? settings.drainTasks : 0),
    lost: failures.length ? 2 : 0,
    duplicated: 0,
    missingWrites: 0,
    duplicateWrites: 0,
    realtime: { clients: 6, reconnected: spec.realtimeInstance ? 3 : 0, eventsExpected: 12, eventsMissed: spec.realtimeInstance ? 2 : 0, caughtUp: spec.realtimeInstance ? 2 : 0, unrecovered: 0, missedWhileConnected: 0, ...(spec.realtimeInstance ? { stoppedInstanceClients: 3, stoppedInstanceClosed: 3, closeLatencyMs: 9 } : {}) },
    ...(spec.dependency ? { readiness: { probesWhileDown: 40, readyWhileDown: 0, livenessFailures: 0 } } : {}),
    ...(spec.midDrain ? { drain: { tasks: settings.drainTasks, categorisedAtInjection: 90, drainedAt: 12 + index * 8 } } : {}),
    detail: `what happened to ${spec.name}`,
    verdict: { ok: failures.length === 0, failures },
  };
}

function result(failedIndex?: number): ResilienceResult {
  const faults = LOCAL_FAULTS.map((_, i) => fault(i, i === failedIndex ? ["2 tasks lost (transactions never categorised)"] : []));
  return {
    environment: "local",
    settings,
    dataServices: "throwaway PostgreSQL and Redis",
    startedAtMs: 0,
    durationSeconds: 62,
    timeline: Array.from({ length: 62 }, (_, t) => ({ t, requests: 52, ok: t === 37 ? 20 : 52, errors: t === 37 ? 32 : 0, serverErrors: t === 37 ? 32 : 0, resets: 0, p95: 6, held: t !== 37 })),
    faults,
    totals: { requests: 3224, writesCommitted: 700, tasks: 1500, lost: failedIndex === undefined ? 0 : 2, duplicated: 0, missingWrites: 0, duplicateWrites: 0, unbalancedAccounts: 0, outboxLeft: 0, realtimeClients: 6, stackTraceSamples: [] },
    verdict: failedIndex === undefined ? { ok: true, failures: [] } : { ok: false, failures: [`${LOCAL_FAULTS[failedIndex]}: 2 tasks lost (transactions never categorised)`] },
  };
}

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("the resilience section of the report", () => {
  it("has a row per fault with its figures and its verdict, and the promise each fault tests", () => {
    const markdown = resilienceSection(result());
    expect(markdown).toContain("**Every verdict held** (7 faults).");
    for (const name of LOCAL_FAULTS) {
      const row = markdown.split("\n").find((line) => line.startsWith(`| ${LOCAL_FAULTS.indexOf(name) + 1} ${name} |`));
      expect(row, name).toBeDefined();
      expect(row!.trim().endsWith("| held |")).toBe(true);
      expect(markdown).toContain(`| ${name} | ${faultSpec(name, settings).action} | ${faultSpec(name, settings).promise} |`);
    }
    expect(markdown).toMatch(/\| 5 redis-restart \| 37\.0 \| 2\.0 \| 0\.0 \| 60\.00 % of 100 in 2\.0 s \| 60 \(60 503\) \|/);
    expect(markdown).toContain("40/40 not ready while down; liveness up");
    expect(markdown).toContain("stopped instance: 3/3 closed within 9 ms");
    expect(markdown).toContain(`drain batch of ${settings.drainTasks}: 90 done when it struck, all done at 12.0 s`);
  });

  it("shows a failed fault's reasons in its row and at the top", () => {
    const markdown = resilienceSection(result(1));
    expect(markdown).toContain("**Failed:**\n- dispatcher-kill: 2 tasks lost (transactions never categorised)");
    expect(markdown).toMatch(/\| 2 dispatcher-kill \|.*\| \*\*FAILED\*\*: 2 tasks lost \(transactions never categorised\) \|/);
    expect(resilienceLines(result(1))[1]).toMatch(/^resilience dispatcher-kill: FAILED; .* lost 2,/);
  });

  it("draws the timeline with every fault shaded and labelled from when it struck until it was back", async () => {
    const figure = resilienceTimeline(result());
    const spans = (figure.spec as { vconcat: Array<{ layer: Array<{ data?: { values: unknown[] } }> }> }).vconcat[0]!.layer[0]!.data!.values as Array<{ from: number; to: number; label: string }>;
    expect(spans.map((s) => s.label)).toEqual(LOCAL_FAULTS.map((name, i) => `${i + 1} ${name}`));
    expect(spans[0]).toMatchObject({ from: 5, to: 7 });
    const svg = await renderSvg(figure);
    expect(svg).toContain("7 realtime-kill");
    expect(svg).toContain("SLO: P95 &lt;= 300 ms");
  });

  it("is written into summary.json, report.md, report.html and raw CSV, and the run's last lines", async () => {
    const dir = await mkdtemp(join(tmpdir(), "resilience-report-"));
    dirs.push(dir);
    const files = await writeReport(makeSummary({ resilience: result() }), dir);
    expect(files).toEqual(expect.arrayContaining(["figures/resilience-timeline.svg", "raw/resilience-timeline.csv", "raw/resilience-faults.csv"]));
    const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8"));
    expect(summary.resilience.faults.map((f: FaultResult) => [f.name, f.lost, f.duplicated, f.missingWrites, f.duplicateWrites, f.errorRate, f.recoverySeconds, f.verdict.ok])).toHaveLength(7);
    expect(await readFile(join(dir, "report.md"), "utf8")).toContain("## Resilience: each component stopped under load");
    const html = await readFile(join(dir, "report.html"), "utf8");
    expect(html).toContain("Resilience: each component stopped under load");
    expect(html).toContain("7 realtime-kill"); // the timeline, inline
    const csv = resilienceCsv(result());
    expect(csv.faults.split("\n")[1]).toMatch(/^worker-kill,5\.00,7\.00,0\.00,/);
    expect(csv.timeline.split("\n")).toHaveLength(64);
    expect(summaryLines(makeSummary({ resilience: result() })).filter((l) => l.startsWith("resilience "))).toHaveLength(7);
  });
});
