import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { estimateScenario, type HttpScenarioResult } from "../results";
import { arrivalStep, capacitySummary, summary as makeSummary } from "../test-support/fixtures";
import { figuresFor, kneeCurve, latencyPerStage, renderSvg, sloLayers } from "./figures";
import { summaryLines } from "./summary-lines";
import { baselineRows, comparisonRows, inlineSvg, kneeAcrossRuns, measuredVcpus, STUDY, writeReport } from "./write-report";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function written(summary = makeSummary(), baseline?: ReturnType<typeof makeSummary>) {
  const dir = await mkdtemp(join(tmpdir(), "report-"));
  dirs.push(dir);
  const files = await writeReport(summary, dir, baseline);
  return { dir, files, read: (f: string) => readFile(join(dir, f), "utf8") };
}

describe("report writer: closed model (paper, quick)", () => {
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
    const svg = await read("figures/mixed-latency.svg");
    expect(svg.startsWith("<svg")).toBe(true);
    // Mixed reaches 840 ms (P99): the SLO line is within reach and drawn once, with its label.
    expect(svg.split("SLO: P95 &lt;= 300 ms")).toHaveLength(2);
    expect(svg.match(/stroke-dasharray="6,4"/g)).toHaveLength(1);
    expect(await read("report.md")).toContain("![read: P50 / P95 / P99 per VU stage](figures/read-latency.svg)");
  });

  it("scales the latency axis to the data and labels an SLO that lies far above it instead of drawing it", async () => {
    // Read's highest value is 70 ms (P99 at 200 VUs): the 300 ms line would squash the data.
    expect(sloLayers(70).domainMax).toBeCloseTo(70 * 1.15);
    expect(JSON.stringify(sloLayers(70).layers)).toContain("off the scale, 4x above the highest value shown");
    expect(sloLayers(290).domainMax).toBeGreaterThan(300);
    const svg = await renderSvg(latencyPerStage(makeSummary().scenarios[0] as HttpScenarioResult));
    expect(svg).toContain("off the scale");
    expect(svg).not.toMatch(/stroke-dasharray="6,4"/);
  });

  it("puts the same numbers in the tables as in summary.json, and says the closed model measures load levels", async () => {
    const { read } = await written();
    const summary = JSON.parse(await read("summary.json"));
    const markdown = await read("report.md");
    for (const scenario of summary.scenarios) {
      if (scenario.name === "async") {
        expect(markdown).toContain(`| 1 | ${scenario.tasks.toLocaleString("en-US")} | ${scenario.publishSeconds.toFixed(1)} | ${scenario.publishRate.toLocaleString("en-US")} | ${scenario.drainSeconds.toFixed(1)} | ${scenario.tasksPerSecond.toFixed(1)} |`);
        continue;
      }
      for (const s of scenario.stages) {
        expect(markdown).toContain(`| ${s.vus} | ${s.durationSeconds} | ${s.requests.toLocaleString("en-US")} | ${s.rps.toFixed(1)} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.p99.toFixed(1)} |`);
      }
    }
    expect(markdown).toContain("**broken**: P95 420 ms > 300 ms");
    expect(markdown).toContain("The SLO first broke at **130 VUs**.");
    expect(markdown).toContain("- mixed @ 130 VUs: P95 420 ms > 300 ms");
    expect(markdown).toContain("closed model: bounded by the offered load (VUs x 1 req/s), so this compares load levels, not capacities");
    const csv = (await read("raw/stages.csv")).trim().split("\n");
    expect(csv).toHaveLength(1 + 6);
    expect(csv[3]).toBe("1,read,200,10,1950,0,195.00,11.67,35.00,70.00,0.00000,true");
  });

  it("compares with the study per vCPU of the tier that served the load", () => {
    const summary = makeSummary();
    expect(measuredVcpus(summary)).toBe(2);
    const rows = comparisonRows(summary);
    const readMean = rows.find((r) => r.metric === "read mean req/s (closed)")!;
    const measured = (summary.scenarios[0] as HttpScenarioResult).meanRps;
    expect(readMean.ratio).toBeCloseTo(measured / 2 / (STUDY.read.meanRps / STUDY.vcpus), 6);
    expect(rows.find((r) => r.metric === "read P95 (ms, closed)")).toMatchObject({ study: 158, measured: 35, perVcpu: false });
    // One worker served the drain: tasks/s per worker vCPU against the study's 86 over 10 vCPUs.
    expect(rows.find((r) => r.metric === "async drain tasks/s (1 worker)")!.ratio).toBeCloseTo(500 / 1 / (86 / 10), 6);
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

describe("report writer: capacity (open model)", () => {
  it("writes the knee figures, the per-second series, the drain figures and the per-step CSV", async () => {
    const { files, read } = await written(capacitySummary());
    for (const file of ["figures/read-knee.svg", "figures/read-timeseries.svg", "figures/mixed-knee.svg", "figures/mixed-timeseries.svg", "figures/async-drain.svg", "figures/async-drain-vs-workers.svg", "figures/speedup.svg", "raw/steps.csv"]) {
      expect(files, file).toContain(file);
    }
    // No closed stages ran: no VU-stage figures.
    expect(files).not.toContain("figures/read-latency.svg");
    const knee = await read("figures/read-knee.svg");
    expect(knee).toContain("knee 12,000 req/s");
    expect(knee).toContain("SLO: P95 &lt;= 300 ms");
    expect(await read("figures/async-drain.svg")).toContain("publishing ended: drain starts");
    const steps = (await read("raw/steps.csv")).trim().split("\n");
    expect(steps).toHaveLength(1 + 9 + 7);
    expect(steps[5]).toMatch(/^1,read,0,16000,36\.0,8,128000,/);
  });

  it("reports each knee with where it broke and why, per api vCPU and per core, and the knee in summary.json", async () => {
    const { read } = await written(capacitySummary());
    const markdown = await read("report.md");
    expect(markdown).toContain("| read | **12,000** | 13,900 | 12,000 | 6,000 | 80.0 | 0.00 % | 30 % | P95 420 ms > 300 ms |");
    expect(markdown).toContain("| mixed | **2,600** | 3,000 | 2,600 | 1,300 | 60.0 | 0.00 % | 7 % | P95 310 ms > 300 ms |");
    const summary = JSON.parse(await read("summary.json"));
    expect(summary.scenarios[0].knee).toMatchObject({ heldRps: 12000, brokeAtRps: 13900, p95: 80, errorRate: 0, generatorCpuShare: 0.3 });
    // The study table compares at the knee, per vCPU: read 12,000/1 against 970/10.
    const row = comparisonRows(capacitySummary()).find((r) => r.metric === "read knee req/s (within the SLO)")!;
    expect(row.ratio).toBeCloseTo(12000 / (970 / 10), 6);
    expect(markdown).toContain("the study's read peak was bounded by its 1,000 VUs");
  });

  it("reports the drain per worker instance count, and speedup and aggregate performance", async () => {
    const { read } = await written(capacitySummary());
    const markdown = await read("report.md");
    expect(markdown).toContain("| 1 | 20,000 | 10.0 | 2,000 | 16.7 | 1,200.0 | 1,200.0 | 0 | 0 | none lost, none duplicated |");
    expect(markdown).toContain("| 2 | 20,000 | 10.0 | 2,000 | 13.3 | 1,500.0 | 750.0 | 0 | 0 | none lost, none duplicated |");
    expect(markdown).toContain("| 2 | 15,000 | 1.25x | 63 % | 9,600: 15.0 ms, 0.00 % | 19,200: 900.0 ms, 10.00 % (**broken**) |");
  });

  it("marks the knee on the latency curve and warns when the generator may have limited it", async () => {
    const saturated = capacitySummary();
    const figure = kneeCurve("read", (saturated.scenarios[0] as HttpScenarioResult).open!);
    expect(JSON.stringify(figure.spec)).toContain('"x":{"datum":12000}');
    const fixtures = await import("../test-support/fixtures");
    const open = fixtures.openModel([arrivalStep(1000, 3), arrivalStep(2000, 900, { generatorCpuShare: 0.97, late: 400 })]);
    expect(open.knee.generatorLimited).toBe(true);
    expect(open.knee.lowerBound).toBe(true);
    const limited = capacitySummary({ scenarios: [{ ...(saturated.scenarios[0] as HttpScenarioResult), open, knee: open.knee }], runs: [[{ ...(saturated.scenarios[0] as HttpScenarioResult), open, knee: open.knee }]] });
    const markdown = await (await written(limited)).read("report.md");
    expect(markdown).toContain("**Warnings: the load generator may have limited these results**");
    expect(markdown).toContain("at 2,000 req/s the load generator used 97 % of a core");
    expect(markdown).toContain("**1,000** (lower bound)");
  });

  it("is one self-contained HTML file: every figure inline, nothing loaded from elsewhere", async () => {
    const { read, files } = await written(capacitySummary());
    const html = await read("report.html");
    const figureCount = files.filter((f) => f.startsWith("figures/")).length;
    expect(html.match(/<figure role="img"/g)).toHaveLength(figureCount);
    expect(html.match(/<svg/g)).toHaveLength(figureCount);
    expect(html).not.toMatch(/<img|src=|<link|@import|url\(http/);
    expect(html).toContain("<table>");
    // Ids inside inlined SVGs cannot collide across figures.
    expect(inlineSvg('<svg><clipPath id="clip1"/><g clip-path="url(#clip1)"/></svg>', "fig3")).toBe('<svg><clipPath id="fig3-clip1"/><g clip-path="url(#fig3-clip1)"/></svg>');
  });

  it("lists every run's knee with the machine's load average around its search when repeated", async () => {
    const first = capacitySummary();
    const read = first.scenarios[0] as HttpScenarioResult;
    const busier = { ...read, knee: { ...read.knee!, heldRps: 7551 }, open: { ...read.open!, loadAverage: { atStart: 3.9, atEnd: 4.73 } } };
    const repeated = capacitySummary({ runs: [[{ ...read, open: { ...read.open!, loadAverage: { atStart: 1.14, atEnd: 1.2 } } }], [busier]] });
    const markdown = await (await written(repeated)).read("report.md");
    expect(markdown).toContain("| 1 | read | 12,000 | 13,900 | 80.0 | 1.14 -> 1.20 |");
    expect(markdown).toContain("| 2 | read | 7,551 | 13,900 | 80.0 | 3.90 -> 4.73 |");
  });

  it("with repeats compares the mean knee, and takes the other knee figures from the median run, saying so", async () => {
    const first = capacitySummary();
    const read = first.scenarios[0] as HttpScenarioResult;
    const runWith = (heldRps: number, brokeAtRps: number, p95: number, lowerBound = false) => [{ ...read, knee: { ...read.knee!, heldRps, brokeAtRps, p95, lowerBound } }];
    // Run 1 was disturbed (a lower bound), run 3 holds the median knee.
    const repeated = capacitySummary({ scenarios: runWith(7551, 8000, 5, true), runs: [runWith(7551, 8000, 5, true), runWith(15102, 16000, 12), runWith(14254, 15102, 9)] });
    const knee = kneeAcrossRuns(repeated, "read")!;
    expect(knee).toMatchObject({ runs: 3, medianRun: 3, lowerBoundRuns: 1 });
    expect(knee.heldRps).toBeCloseTo((7551 + 15102 + 14254) / 3, 6);
    expect(knee.ci95).toBeGreaterThan(0);
    const markdown = await (await written(repeated)).read("report.md");
    expect(markdown).toMatch(/\| read \| \*\*12,302 ± [\d,]+\*\* \(95 % CI, 3 runs\) \(a lower bound in 1 of 3 runs\) \| 15,102 \| 12,302 \| 6,151 \| 9\.0 \|/);
    expect(markdown).toContain("those of the run whose knee is the median");
    const row = comparisonRows(repeated).find((r) => r.metric === "read knee req/s (within the SLO)")!;
    expect(row.measured).toBeCloseTo(knee.heldRps, 6);
    expect(row.note).toContain("mean of 3 runs, P95 of run 3 (the median knee)");
    expect(comparisonRows(repeated).find((r) => r.metric === "read P95 at the knee (ms)")!.measured).toBe(9);
    const line = summaryLines(repeated).find((l) => l.startsWith("read: knee"))!;
    expect(line).toContain("12,302 ± ");
    expect(line).toContain("below: run 3, the median");
    expect(line).toContain("broke at 15,102 req/s");
  });

  it("plots a cloud run's Cloud Monitoring series under the load", async () => {
    const cloud = capacitySummary({
      environment: "dev",
      monitoring: [
        { name: "apiInstances", label: "api instances", points: [{ t: 60, value: 2 }, { t: 120, value: 7 }] },
        { name: "queueDepth", label: "task backlog (queue depth)", points: [{ t: 60, value: 20000 }, { t: 120, value: 0 }] },
      ],
    });
    const { files, read } = await written(cloud);
    expect(files).toContain("figures/cloud-monitoring.svg");
    const svg = await read("figures/cloud-monitoring.svg");
    expect(svg).toContain("api instances");
    expect(svg).toContain("task backlog (queue depth)");
    expect(figuresFor(capacitySummary()).map((f) => f.file)).not.toContain("cloud-monitoring.svg");
  });

  it("compares with a baseline run: a ratio per metric and overlaid curves", async () => {
    const before = capacitySummary();
    const afterRead = before.scenarios[0] as HttpScenarioResult;
    const improved = { ...afterRead, knee: { ...afterRead.knee!, heldRps: 15000, p95: 40 } };
    const afterScenarios = [improved, ...before.scenarios.slice(1)];
    const after = capacitySummary({ scenarios: afterScenarios, runs: [afterScenarios] });
    const rows = baselineRows(after, before);
    expect(rows.find((r) => r.metric === "read knee (req/s)")).toMatchObject({ baseline: 12000, current: 15000, ratio: 1.25 });
    expect(rows.find((r) => r.metric === "read P95 at the knee (ms)")).toMatchObject({ ratio: 0.5, better: "lower" });
    const { files, read } = await written(after, before);
    expect(files).toContain("figures/read-vs-baseline.svg");
    const markdown = await read("report.md");
    expect(markdown).toContain("## Against the baseline");
    expect(markdown).toContain("| read knee (req/s) | 12,000.0 | 15,000.0 | 1.25x | better (higher is better) |");
  });
});
