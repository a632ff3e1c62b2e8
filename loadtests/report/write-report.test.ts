import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { estimateScenario, type HttpScenarioResult } from "../results";
import { summary as makeSummary } from "../test-support/fixtures";
import { figuresFor, latencyPerStage } from "./figures";
import { comparisonRows, measuredVcpus, STUDY, writeReport } from "./write-report";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function written(summary = makeSummary()) {
  const dir = await mkdtemp(join(tmpdir(), "report-"));
  dirs.push(dir);
  const files = await writeReport(summary, dir);
  return { dir, files, read: (f: string) => readFile(join(dir, f), "utf8") };
}

describe("report writer", () => {
  it("writes summary.json, report.md, report.html, one SVG per figure and the raw CSV", async () => {
    const { files, read } = await written();
    expect(files.sort()).toEqual(
      [
        "figures/async-drain.svg",
        "figures/degradation.svg",
        "figures/mixed-latency.svg",
        "figures/p95-read-vs-mixed.svg",
        "figures/read-latency.svg",
        "raw/stages.csv",
        "raw/timeline.csv",
        "report.html",
        "report.md",
        "summary.json",
      ].sort(),
    );
    const svg = await read("figures/read-latency.svg");
    expect(svg.startsWith("<svg")).toBe(true);
    // The SLO line and its label are drawn once, not once per data row.
    expect(svg.split("SLO: P95 &lt;= 300 ms")).toHaveLength(2);
    expect(svg.match(/stroke-dasharray="6,4"/g)).toHaveLength(1);
    expect(await read("report.md")).toContain("![read: P50 / P95 / P99 per VU stage](figures/read-latency.svg)");
  });

  it("puts the same numbers in the tables as in summary.json", async () => {
    const { read } = await written();
    const summary = JSON.parse(await read("summary.json"));
    const markdown = await read("report.md");
    for (const scenario of summary.scenarios) {
      if (scenario.name === "async") {
        expect(markdown).toContain(`| ${scenario.tasks.toLocaleString("en-US")} | ${scenario.publishSeconds.toFixed(1)} | ${scenario.drainSeconds.toFixed(1)} | ${scenario.tasksPerSecond.toFixed(1)} | 0 | 0 |`);
        continue;
      }
      for (const s of scenario.stages) {
        expect(markdown).toContain(`| ${s.vus} | ${s.durationSeconds} | ${s.requests.toLocaleString("en-US")} | ${s.rps.toFixed(1)} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.p99.toFixed(1)} |`);
      }
    }
    expect(markdown).toContain("**broken**: P95 420 ms > 300 ms");
    expect(markdown).toContain("The SLO first broke at **130 VUs**.");
    expect(markdown).toContain("- mixed @ 130 VUs: P95 420 ms > 300 ms");
    const csv = (await read("raw/stages.csv")).trim().split("\n");
    expect(csv).toHaveLength(1 + 6);
    expect(csv[3]).toBe("1,read,200,10,1950,0,195.00,11.67,35.00,70.00,0.00000,true");
    const html = await read("report.html");
    expect(html).toContain("<table>");
    expect(html).toContain('<img src="figures/mixed-latency.svg"');
  });

  it("compares with the study per vCPU", () => {
    const summary = makeSummary();
    expect(measuredVcpus(summary)).toBe(2);
    const rows = comparisonRows(summary);
    const readMean = rows.find((r) => r.metric === "read mean req/s")!;
    const measured = (summary.scenarios[0] as HttpScenarioResult).meanRps;
    expect(readMean.ratio).toBeCloseTo(measured / 2 / (STUDY.read.meanRps / STUDY.vcpus), 6);
    const readP95 = rows.find((r) => r.metric === "read P95 (ms)")!;
    expect(readP95).toMatchObject({ study: 158, measured: 35, perVcpu: false });
    expect(rows.find((r) => r.metric === "async tasks/s")!.ratio).toBeCloseTo(500 / 2 / (86 / 10), 6);
  });

  it("adds 95 % CI error bars with repeats and a speedup figure when measured", () => {
    const base = makeSummary();
    const runs = [base.scenarios, base.scenarios];
    const withRepeats = makeSummary({ runs, confidence: [estimateScenario(runs.map((r) => r[0]!))], speedup: [1, 2].map((instances) => ({ instances, scenario: "read" as const, meanRps: 100 * instances, peakRps: 120 * instances, p95: 50 / instances })) });
    const names = figuresFor(withRepeats).map((f) => f.file);
    expect(names).toContain("speedup.svg");
    const layers = (latencyPerStage(base.scenarios[0] as HttpScenarioResult, withRepeats.confidence![0]).spec.layer as Array<{ mark: unknown }>).map((l) => JSON.stringify(l.mark));
    expect(layers.some((m) => m.includes("errorbar"))).toBe(true);
  });
});
