/**
 * Writes an experiment's report directory:
 *   summary.json        machine-readable results (the `Summary` type)
 *   report.md           figures, knees, per-stage and per-step tables with SLO verdicts, the study comparison
 *   report.html         the same, self-contained: figures inline, so it can be mailed or attached
 *   figures/*.svg       one file per figure
 *   raw/*.csv           per-stage and per-step rows and per-second timelines of every run
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { marked } from "marked";
import type { ArrivalStepResult, AsyncDrain, AsyncScenarioResult, HttpScenarioResult, Knee, ScenarioResult, Summary } from "../results";
import { GENERATOR_LATE_MS } from "../slo";
import { estimate, SLO } from "../stats";
import { figuresFor, renderSvg, type Figure } from "./figures";
import { resilienceCsv, resilienceSection } from "../resilience/report";

/** The reference study's Table 1 (10 Cloud Run instances of 1 vCPU). */
export const STUDY = {
  vcpus: 10,
  read: { meanRps: 470, peakRps: 970, p95: 158 },
  mixed: { meanRps: 226, peakRps: 450, p95: 658, sloBrokeAtVus: 539 },
  async: { tasks: 51_580, drainSeconds: 600, tasksPerSecond: 86 },
} as const;

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "–");
const pct = (n: number) => `${(n * 100).toFixed(2)} %`;
const share = (n: number) => `${(n * 100).toFixed(0)} %`;

/** vCPUs of the api tier: instances x vCPUs, bounded by the machine's cores when local. */
export function measuredVcpus(summary: Summary): number {
  const api = summary.capacity.apiInstances * summary.capacity.vcpusPerInstance;
  return summary.environment === "local" ? Math.min(api, summary.machine.cpus) : api;
}

/** vCPUs of the worker tier that served a drain: its instances, bounded by the cores when local. */
export function workerVcpus(summary: Summary, drain: AsyncDrain): number {
  const workers = drain.workerInstances ?? summary.capacity.workerInstances?.[0] ?? STUDY.vcpus;
  return summary.environment === "local" ? Math.min(workers, summary.machine.cpus) : workers;
}

/** A scenario's knee across the runs of an experiment (one run: that run's knee). */
export interface KneeAcrossRuns {
  /** The knee to compare: the mean over runs. */
  readonly heldRps: number;
  /** Set with two runs or more. */
  readonly ci95?: number;
  readonly runs: number;
  /** The run whose knee is the median (1-based): where the broke-at, P95, errors, generator share and reason come from. */
  readonly medianRun: number;
  readonly median: Knee;
  /** Runs whose knee is only a lower bound (the generator may have limited it, or the SLO never broke). */
  readonly lowerBoundRuns: number;
}

/** The knee of `name` over every run: mean (with CI) for the figure, the median run for its details. */
export function kneeAcrossRuns(summary: Summary, name: string): KneeAcrossRuns | undefined {
  const knees = summary.runs
    .map((run, i) => ({ run: i + 1, knee: run.find((s): s is HttpScenarioResult => s.name === name && s.name !== "async")?.knee }))
    .filter((k): k is { run: number; knee: Knee } => k.knee !== undefined);
  if (knees.length === 0) {
    const only = summary.scenarios.find((s): s is HttpScenarioResult => s.name === name && s.name !== "async")?.knee;
    return only ? { heldRps: only.heldRps, runs: 1, medianRun: 1, median: only, lowerBoundRuns: only.lowerBound ? 1 : 0 } : undefined;
  }
  const sorted = [...knees].sort((a, b) => a.knee.heldRps - b.knee.heldRps);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const estimated = knees.length > 1 ? estimate(knees.map((k) => k.knee.heldRps)) : undefined;
  return {
    heldRps: estimated?.mean ?? median.knee.heldRps,
    ...(estimated ? { ci95: estimated.ci95 } : {}),
    runs: knees.length,
    medianRun: median.run,
    median: median.knee,
    lowerBoundRuns: knees.filter((k) => k.knee.lowerBound).length,
  };
}

/** "(lower bound)", or with repeats how many runs' knees were lower bounds. */
export function lowerBoundNote(knee: KneeAcrossRuns): string {
  if (knee.lowerBoundRuns === 0) return "";
  return knee.runs === 1 ? " (lower bound)" : ` (a lower bound in ${knee.lowerBoundRuns} of ${knee.runs} runs)`;
}

export interface ComparisonRow {
  readonly metric: string;
  /** The study's figure, and per vCPU of its 10. */
  readonly study: number;
  readonly studyPerVcpu?: number;
  /** This run's figure, and per vCPU of the tier that served it. */
  readonly measured: number;
  readonly measuredPerVcpu?: number;
  /** Per-vCPU ratio (throughput: higher is better) or plain ratio (latency: lower is better). */
  readonly ratio: number;
  readonly perVcpu: boolean;
  /** What the comparison does and does not say. */
  readonly note: string;
}

const CLOSED_NOTE = "closed model: bounded by the offered load (VUs x 1 req/s), so this compares load levels, not capacities";

/**
 * This run beside the study's Table 1. Throughputs are compared per vCPU of the tier that served
 * them (api instances for requests, worker instances for tasks), as the study counted its 10
 * Cloud Run vCPUs (Cloud SQL and Memorystore not included). Knees are compared with the study's
 * peaks; closed-model figures are labelled as bounded by the offered load.
 */
export function comparisonRows(summary: Summary): ComparisonRow[] {
  const vcpus = measuredVcpus(summary);
  const rows: ComparisonRow[] = [];
  for (const scenario of summary.scenarios) {
    if (scenario.name === "async") {
      const studyPer = STUDY.async.tasksPerSecond / STUDY.vcpus;
      for (const drain of scenario.drains ?? [scenario]) {
        const per = drain.tasksPerSecond / workerVcpus(summary, drain);
        rows.push({
          metric: `async drain tasks/s${drain.workerInstances !== undefined ? ` (${drain.workerInstances} worker${drain.workerInstances === 1 ? "" : "s"})` : ""}`,
          study: STUDY.async.tasksPerSecond,
          studyPerVcpu: studyPer,
          measured: drain.tasksPerSecond,
          measuredPerVcpu: per,
          ratio: per / studyPer,
          perVcpu: true,
          note: drain.drainMode === "after-publish" ? "drain timed alone, after publishing the whole batch (as the study)" : "drain overlapped publishing (no way to pause delivery here)",
        });
      }
      continue;
    }
    const study = STUDY[scenario.name];
    const studyPeakPer = study.peakRps / STUDY.vcpus;
    const knee = scenario.knee ? kneeAcrossRuns(summary, scenario.name) : undefined;
    if (knee) {
      const per = knee.heldRps / vcpus;
      const repeated = knee.runs > 1 ? `; mean of ${knee.runs} runs, P95 of run ${knee.medianRun} (the median knee)` : "";
      rows.push({
        metric: `${scenario.name} knee req/s (within the SLO)`,
        study: study.peakRps,
        studyPerVcpu: studyPeakPer,
        measured: knee.heldRps,
        measuredPerVcpu: per,
        ratio: per / studyPeakPer,
        perVcpu: true,
        note:
          (scenario.name === "read" ? "the study's read peak was bounded by its 1,000 VUs, so its read knee is unknown (at least this)" : "the study's mixed peak is where its SLO broke: its knee") +
          repeated +
          (knee.lowerBoundRuns > 0 ? `; ours is a lower bound${knee.runs > 1 ? ` in ${knee.lowerBoundRuns} of ${knee.runs} runs` : ""} (see warnings)` : ""),
      });
      rows.push({ metric: `${scenario.name} P95 at the knee (ms)`, study: study.p95, measured: knee.median.p95, ratio: knee.median.p95 / study.p95, perVcpu: false, note: "lower is better; the study's P95 is over its whole run" });
    }
    if (scenario.stages.length > 0) {
      const perMean = scenario.meanRps / vcpus;
      const perPeak = scenario.peakRps / vcpus;
      rows.push(
        { metric: `${scenario.name} mean req/s (closed)`, study: study.meanRps, studyPerVcpu: study.meanRps / STUDY.vcpus, measured: scenario.meanRps, measuredPerVcpu: perMean, ratio: perMean / (study.meanRps / STUDY.vcpus), perVcpu: true, note: CLOSED_NOTE },
        { metric: `${scenario.name} peak req/s (closed)`, study: study.peakRps, studyPerVcpu: studyPeakPer, measured: scenario.peakRps, measuredPerVcpu: perPeak, ratio: perPeak / studyPeakPer, perVcpu: true, note: CLOSED_NOTE },
        { metric: `${scenario.name} P95 (ms, closed)`, study: study.p95, measured: scenario.p95, ratio: scenario.p95 / study.p95, perVcpu: false, note: "lower is better" },
      );
    }
  }
  return rows;
}

function comparisonTable(summary: Summary): string {
  const vcpus = measuredVcpus(summary);
  const rows = comparisonRows(summary).map(
    (r) =>
      `| ${r.metric} | ${fmt(r.study, 1)}${r.studyPerVcpu !== undefined ? ` (${fmt(r.studyPerVcpu, 1)}/vCPU)` : ""} | ${fmt(r.measured, 1)}${r.measuredPerVcpu !== undefined ? ` (${fmt(r.measuredPerVcpu, 1)}/vCPU)` : ""} | ${r.perVcpu ? `**${fmt(r.ratio, 1)}x** per vCPU` : `${fmt(r.ratio, 2)}x`} | ${r.note} |`,
  );
  const local = summary.environment === "local";
  return [
    `Study: ${STUDY.vcpus} Cloud Run instances of 1 vCPU (Cloud SQL and Memorystore not counted). This run: requests per vCPU of the api tier (${vcpus} vCPU${vcpus === 1 ? "" : "s"}), tasks per vCPU of the worker tier${
      local
        ? `; on this ${summary.machine.cpus}-core machine PostgreSQL, Redis, the dispatcher, realtime and the load generator share the same cores and are not counted either${summary.placement ? ` (placement: ${summary.placement})` : ""}`
        : ""
    }.`,
    "",
    "| metric | study | this run | ratio | what it says |",
    "|---|---:|---:|---:|---|",
    ...rows,
  ].join("\n");
}

function stageTable(result: HttpScenarioResult): string {
  const header = "| VUs | duration (s) | requests | req/s | P50 (ms) | P95 (ms) | P99 (ms) | errors | SLO |\n|---:|---:|---:|---:|---:|---:|---:|---:|:---|";
  const rows = result.stages.map(
    (s) => `| ${s.vus} | ${fmt(s.durationSeconds)} | ${fmt(s.requests)} | ${fmt(s.rps, 1)} | ${fmt(s.p50, 1)} | ${fmt(s.p95, 1)} | ${fmt(s.p99, 1)} | ${pct(s.errorRate)} | ${s.slo.ok ? "held" : `**broken**: ${s.slo.reason}`} |`,
  );
  return [header, ...rows].join("\n");
}

function stepTable(steps: readonly ArrivalStepResult[]): string {
  const header =
    "| ladder | offered (req/s) | achieved (req/s) | P50 (ms) | P95 (ms) | P99 (ms) | P95 from send (ms) | errors | dropped | late | peak in flight | generator CPU | machine CPU | SLO |\n" +
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|";
  const rows = steps.map(
    (s) =>
      `| ${s.ladder} | ${fmt(s.rps)} | ${fmt(s.achievedRps)} | ${fmt(s.p50, 1)} | ${fmt(s.p95, 1)} | ${fmt(s.p99, 1)} | ${fmt(s.serviceP95, 1)} | ${pct(s.errorRate)} | ${fmt(s.dropped)} | ${fmt(s.late)} | ${fmt(s.peakInFlight)} | ${share(s.generatorCpuShare)} | ${s.machineCpuShare === undefined ? "–" : share(s.machineCpuShare)} | ${s.slo.ok ? "held" : `**broken**: ${s.slo.reason}`} |`,
  );
  return [header, ...rows].join("\n");
}

function kneeCell(knee: KneeAcrossRuns): string {
  const figure = knee.ci95 !== undefined ? `**${fmt(knee.heldRps)} ± ${fmt(knee.ci95)}** (95 % CI, ${knee.runs} runs)` : `**${fmt(knee.heldRps)}**`;
  return figure + lowerBoundNote(knee);
}

/** The knees at a glance: per scenario, with CI when repeated, per api vCPU and per machine core. */
function kneeTable(summary: Summary): string {
  const vcpus = measuredVcpus(summary);
  const knees = summary.scenarios
    .filter((s): s is HttpScenarioResult => s.name !== "async" && s.knee !== undefined)
    .map((s) => ({ name: s.name, knee: kneeAcrossRuns(summary, s.name)! }));
  const rows = knees.map(({ name, knee }) => {
    const k = knee.median;
    return `| ${name} | ${kneeCell(knee)} | ${k.brokeAtRps === null ? "not within the search" : fmt(k.brokeAtRps)} | ${fmt(knee.heldRps / vcpus)} | ${fmt(knee.heldRps / summary.machine.cpus)} | ${fmt(k.p95, 1)} | ${pct(k.errorRate)} | ${share(k.generatorCpuShare)} | ${k.brokeBecause ?? "–"} |`;
  });
  const repeated = knees.find((k) => k.knee.runs > 1);
  return [
    `| scenario | knee: offered req/s held | broke at (req/s) | per api vCPU (${vcpus}) | per machine core (${summary.machine.cpus}) | P95 at knee (ms) | errors at knee | generator CPU at knee (of one core) | why the next step broke |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ...rows,
    ...(repeated ? ["", "With repeats the knee is the mean over the runs; where it broke, P95, errors, the generator's share and why are those of the run whose knee is the median (every run below)."] : []),
  ].join("\n");
}

/** With repeats: every run's knee, with how loaded the machine was around its search. */
function kneeRunsTable(summary: Summary): string {
  if (summary.runs.length < 2) return "";
  const rows = summary.runs.flatMap((run, i) =>
    run
      .filter((s): s is HttpScenarioResult => s.name !== "async" && s.knee !== undefined)
      .map((s) => {
        const load = s.open?.loadAverage;
        return `| ${i + 1} | ${s.name} | ${fmt(s.knee!.heldRps)}${s.knee!.lowerBound ? " (lower bound)" : ""} | ${s.knee!.brokeAtRps === null ? "–" : fmt(s.knee!.brokeAtRps)} | ${fmt(s.knee!.p95, 1)} | ${load ? `${fmt(load.atStart, 2)} -> ${fmt(load.atEnd, 2)}` : "–"} |`;
      }),
  );
  return [
    "Each run (on a shared machine, a higher load average means other work took CPU from the system under test):",
    "",
    "| run | scenario | knee (req/s) | broke at (req/s) | P95 at knee (ms) | load average (1 min) over the search |",
    "|---:|---|---:|---:|---:|---|",
    ...rows,
    "",
  ].join("\n");
}

function openSection(result: HttpScenarioResult): string {
  const open = result.open!;
  const o = open.search;
  return [
    `#### ${result.name}: knee search (open model)`,
    "",
    `Offered rates from ${fmt(o.startRps)} req/s, x${o.growth} per ${o.stepSeconds} s step up to ${fmt(o.maxRps)}, then ${o.refineSplits.length ? `refined in ${o.refineSplits.join(", then ")} sub-steps` : "no refinement"}; each ladder stops at its first broken step. At most ${fmt(o.maxVus)} requests in flight (VUs); an arrival finding none free is dropped and counts as an error. Latency is measured from each request's intended start (coordinated omission corrected; "P95 from send" is what a closed-loop tool would report). "late": sent more than ${GENERATOR_LATE_MS} ms after the intended start. The SLO breaks at P95 > ${SLO.p95Ms} ms, errors >= ${SLO.maxErrorRate * 100} %, or >= ${SLO.maxErrorRate * 100} % of requests not started on time (dropped or late).`,
    "",
    stepTable(open.steps),
    "",
    ...(open.generator ? [`Load generator (${open.generator.tool}): ${fmt(open.generator.cpuPercentOfOneCore)} % of one core over ${fmt(open.generator.wallSeconds)} s, peak RSS ${fmt(open.generator.peakRssMb)} MB.`, ""] : []),
  ].join("\n");
}

function closedSection(result: HttpScenarioResult): string {
  const generator = result.generator
    ? `Load generator (${result.generator.tool}): ${fmt(result.generator.cpuPercentOfOneCore)} % of one core over ${fmt(result.generator.wallSeconds)} s, peak RSS ${fmt(result.generator.peakRssMb)} MB.`
    : "";
  const broke = result.sloBrokeAtVus === null ? "The SLO held at every stage." : `The SLO first broke at **${result.sloBrokeAtVus} VUs**.`;
  return [
    `#### ${result.name}: VU stages (closed model)`,
    "",
    `Mean ${fmt(result.meanRps, 1)} req/s, peak ${fmt(result.peakRps, 1)} req/s, P95 ${fmt(result.p95, 1)} ms, errors ${pct(result.errorRate)}. ${broke} Each VU sends a request, waits for the answer and thinks 1 s, so throughput is bounded by the VUs (about VUs x 1 req/s) until the system slows down: these figures measure the load ladder, not the system's capacity.`,
    "",
    stageTable(result),
    "",
    generator,
  ].join("\n");
}

function scenarioSection(result: ScenarioResult): string {
  if (result.name === "async") return asyncSection(result);
  return [`### ${result.name}`, "", ...(result.open ? [openSection(result)] : []), ...(result.stages.length > 0 ? [closedSection(result)] : [])].join("\n");
}

function asyncSection(result: AsyncScenarioResult): string {
  const drains = result.drains ?? [result];
  const overlapped = drains.some((d) => d.drainMode === "overlapped");
  return [
    "### async",
    "",
    overlapped
      ? "Delivery could not be paused here, so publishing and draining overlapped: the drain is timed from the first publish."
      : "As the study ran it: the whole batch is published through the api while delivery is paused, then delivery resumes and the drain is timed alone (from the resume to the last task's effect). Drain rate = drained tasks / drain time.",
    "",
    "| worker instances | tasks | publish (s) | publish rate (tasks/s) | drain (s) | drain rate (tasks/s) | per worker (tasks/s) | lost | duplicated | verdict |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|",
    ...drains.map(
      (d) =>
        `| ${d.workerInstances ?? "–"} | ${fmt(d.tasks)} | ${fmt(d.publishSeconds, 1)} | ${fmt(d.publishRate)} | ${fmt(d.drainSeconds, 1)} | ${fmt(d.tasksPerSecond, 1)} | ${d.workerInstances ? fmt(d.tasksPerSecond / d.workerInstances, 1) : "–"} | ${d.lost} | ${d.duplicated} | ${d.ok ? "none lost, none duplicated" : "**FAILED**"} |`,
    ),
  ].join("\n");
}

function speedupSection(summary: Summary): string {
  const points = summary.speedup ?? [];
  if (points.length === 0) return "";
  if (!points.some((p) => p.knee)) {
    return [
      "## Speedup",
      "",
      "| api instances | mean req/s | peak req/s | P95 (ms) |",
      "|---:|---:|---:|---:|",
      ...points.map((p) => `| ${p.instances} | ${fmt(p.meanRps ?? 0, 1)} | ${fmt(p.peakRps ?? 0)} | ${fmt(p.p95 ?? 0, 1)} |`),
      "",
      CLOSED_NOTE[0]!.toUpperCase() + CLOSED_NOTE.slice(1) + ".",
      "",
    ].join("\n");
  }
  const base = points[0]!;
  const local = summary.environment === "local";
  return [
    "## Speedup and aggregate performance (read)",
    "",
    `Speedup: the knee against api instances, and P95 at one fixed load at every count. Aggregate performance: that load scaled with the instances (load and resources together); it holds when P95 stays flat. Speedup and efficiency are relative to ${base.instances} instance${base.instances === 1 ? "" : "s"}.${local ? ` On this ${summary.machine.cpus}-core machine every added api process shares its core with the others, the load generator, PostgreSQL and Redis, so the speedup is bounded by the cores, not by the app.` : ""}`,
    "",
    "| api instances | knee (req/s) | speedup | efficiency | fixed load: req/s, P95 (ms), errors | scaled load: req/s, P95 (ms), errors |",
    "|---:|---:|---:|---:|---|---|",
    ...points.map((p) => {
      const s = (p.knee?.heldRps ?? 0) / (base.knee?.heldRps || 1);
      const check = (c: typeof p.fixedLoad) => (c ? `${fmt(c.rps)}: ${fmt(c.p95, 1)} ms, ${pct(c.errorRate)}${c.held ? "" : " (**broken**)"}` : "–");
      return `| ${p.instances} | ${fmt(p.knee?.heldRps ?? 0)}${p.knee?.lowerBound ? " (lower bound)" : ""} | ${fmt(s, 2)}x | ${share(s / (p.instances / base.instances))} | ${check(p.fixedLoad)} | ${check(p.scaledLoad)} |`;
    }),
    "",
  ].join("\n");
}

export interface BaselineRow {
  readonly metric: string;
  readonly baseline: number;
  readonly current: number;
  /** current / baseline. */
  readonly ratio: number;
  readonly better: "higher" | "lower";
}

/** Per metric, this run against an earlier one (same scenarios), for before/after a change. */
export function baselineRows(current: Summary, baseline: Summary): BaselineRow[] {
  const rows: BaselineRow[] = [];
  const add = (metric: string, before: number | undefined, now: number | undefined, better: "higher" | "lower") => {
    if (before === undefined || now === undefined || !Number.isFinite(before) || !Number.isFinite(now)) return;
    rows.push({ metric, baseline: before, current: now, ratio: before === 0 ? Number.NaN : now / before, better });
  };
  for (const scenario of current.scenarios) {
    const before = baseline.scenarios.find((s) => s.name === scenario.name);
    if (!before) continue;
    if (scenario.name === "async" && before.name === "async") {
      add("async drain tasks/s", before.tasksPerSecond, scenario.tasksPerSecond, "higher");
      add("async publish tasks/s", before.publishRate, scenario.publishRate, "higher");
      add("async lost + duplicated", before.lost + before.duplicated, scenario.lost + scenario.duplicated, "lower");
      continue;
    }
    if (scenario.name === "async" || before.name === "async") continue;
    // With repeats on either side: the mean knee, and the median run's P95 (as the knee table).
    const kneeBefore = before.knee ? kneeAcrossRuns(baseline, scenario.name) : undefined;
    const kneeNow = scenario.knee ? kneeAcrossRuns(current, scenario.name) : undefined;
    add(`${scenario.name} knee (req/s)`, kneeBefore?.heldRps, kneeNow?.heldRps, "higher");
    add(`${scenario.name} P95 at the knee (ms)`, kneeBefore?.median.p95, kneeNow?.median.p95, "lower");
    if (scenario.stages.length > 0 && before.stages.length > 0) {
      add(`${scenario.name} mean req/s (closed)`, before.meanRps, scenario.meanRps, "higher");
      add(`${scenario.name} P95 (ms, closed)`, before.p95, scenario.p95, "lower");
      add(`${scenario.name} error rate (closed)`, before.errorRate, scenario.errorRate, "lower");
    }
  }
  return rows;
}

function baselineSection(current: Summary, baseline: Summary): string {
  const rows = baselineRows(current, baseline);
  return [
    "## Against the baseline",
    "",
    `Baseline: ${baseline.environment}, profile ${baseline.profile}, ${baseline.startedAt}${baseline.versions.commit ? `, commit ${baseline.versions.commit}` : ""}. This run${current.versions.commit ? `: commit ${current.versions.commit}` : ""}.`,
    "",
    "| metric | baseline | this run | ratio | |",
    "|---|---:|---:|---:|:---|",
    ...rows.map((r) => {
      const improved = r.better === "higher" ? r.ratio > 1 : r.ratio < 1;
      return `| ${r.metric} | ${fmt(r.baseline, 1)} | ${fmt(r.current, 1)} | ${Number.isFinite(r.ratio) ? `${fmt(r.ratio, 2)}x` : "–"} | ${r.ratio === 1 || !Number.isFinite(r.ratio) ? "" : improved ? "better" : "worse"} (${r.better} is better) |`;
    }),
    "",
  ].join("\n");
}

/** Every warning of the run: where the generator, not the system, may have limited a result. */
export function reportWarnings(summary: Summary): string[] {
  return summary.runs.flatMap((run, i) =>
    run.flatMap((s) => (s.name !== "async" && s.open ? s.open.warnings.map((w) => `${summary.runs.length > 1 ? `run ${i + 1}, ` : ""}${s.name}: ${w}`) : [])),
  );
}

export function renderMarkdown(summary: Summary, figureFiles: ReadonlyArray<{ file: string; title: string }>, baseline?: Summary): string {
  const verdict = summary.verdict.ok ? "**All SLOs held; no task lost or duplicated.**" : `**Failed:**\n${summary.verdict.failures.map((f) => `- ${f}`).join("\n")}`;
  const warnings = reportWarnings(summary);
  const hasKnees = summary.scenarios.some((s) => s.name !== "async" && s.knee);
  return [
    `# Experiment report: ${summary.environment}, profile ${summary.profile}`,
    "",
    `${summary.startedAt} – ${summary.finishedAt}, target ${summary.baseUrl}, ${summary.runs.length} run(s). SLOs: P95 <= ${SLO.p95Ms} ms, errors < ${SLO.maxErrorRate * 100} %.${hasKnees ? " Knee searches break the SLO on purpose at their last step; that is not a failure of the run." : ""}`,
    "",
    verdict,
    "",
    ...(warnings.length ? ["**Warnings: the load generator may have limited these results**", "", ...warnings.map((w) => `- ${w}`), ""] : []),
    ...(hasKnees ? ["## Capacity: the knee (open model)", "", "The knee is the highest offered rate the system held within the SLO.", "", kneeTable(summary), "", kneeRunsTable(summary)] : []),
    "## Figures",
    "",
    ...figureFiles.flatMap((f) => [`![${f.title}](figures/${f.file})`, ""]),
    ...(summary.scenarios.length > 0 ? ["## Results", ""] : []),
    ...summary.scenarios.flatMap((s) => [scenarioSection(s), ""]),
    speedupSection(summary),
    ...(summary.resilience ? [resilienceSection(summary.resilience), ""] : []),
    ...(summary.scenarios.length > 0 ? ["## Beside the study's Table 1", "", comparisonTable(summary), ""] : []),
    ...(baseline ? [baselineSection(summary, baseline)] : []),
    "## Environment",
    "",
    `Machine ${summary.machine.hostname}: ${summary.machine.cpus} x ${summary.machine.cpuModel}, ${fmt(summary.machine.memoryGb, 1)} GB, ${summary.machine.platform}. ` +
      (summary.machine.loadAverage
        ? `Load average (1, 5, 15 min) ${summary.machine.loadAverage.atStart.map((v) => fmt(v, 2)).join(", ")} at the start, ${summary.machine.loadAverage.atEnd.map((v) => fmt(v, 2)).join(", ")} at the end (on a shared machine: how much else ran). `
        : "") +
      `Versions: ${Object.entries(summary.versions).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
    ...(summary.placement ? ["", `Placement: ${summary.placement}.`] : []),
    "",
    "Raw data: `summary.json`, `raw/*.csv`; each role's log in `logs/`.",
    "",
  ].join("\n");
}

function stagesCsv(summary: Summary): string {
  const lines = ["run,scenario,vus,duration_s,requests,errors,rps,p50_ms,p95_ms,p99_ms,error_rate,slo_ok"];
  summary.runs.forEach((run, i) => {
    for (const s of run) {
      if (s.name === "async") continue;
      for (const st of s.stages) lines.push([i + 1, s.name, st.vus, st.durationSeconds, st.requests, st.errors, st.rps.toFixed(2), st.p50.toFixed(2), st.p95.toFixed(2), st.p99.toFixed(2), st.errorRate.toFixed(5), st.slo.ok].join(","));
    }
  });
  return lines.join("\n") + "\n";
}

function stepsCsv(summary: Summary): string {
  const lines = ["run,scenario,ladder,offered_rps,started_s,duration_s,offered,completed,achieved_rps,errors,dropped,late,p50_ms,p95_ms,p99_ms,p95_from_send_ms,error_rate,not_on_time_rate,peak_in_flight,generator_cpu_share,machine_cpu_share,slo_ok"];
  summary.runs.forEach((run, i) => {
    for (const s of run) {
      if (s.name === "async" || !s.open) continue;
      for (const st of s.open.steps) {
        lines.push(
          [i + 1, s.name, st.ladder, st.rps, st.startedAt.toFixed(1), st.durationSeconds, st.offered, st.completed, st.achievedRps.toFixed(1), st.errors, st.dropped, st.late, st.p50.toFixed(2), st.p95.toFixed(2), st.p99.toFixed(2), st.serviceP95.toFixed(2), st.errorRate.toFixed(5), st.notOnTimeRate.toFixed(5), st.peakInFlight, st.generatorCpuShare.toFixed(3), st.machineCpuShare?.toFixed(3) ?? "", st.slo.ok].join(","),
        );
      }
    }
  });
  return lines.join("\n") + "\n";
}

function timelineCsv(summary: Summary): string {
  const lines = ["run,scenario,t_s,vus,requests,errors,p95_ms,offered_rps_target,offered,in_flight,task_backlog,worker_instances,completed_tasks"];
  summary.runs.forEach((run, i) => {
    for (const s of run) {
      if (s.name === "async") {
        for (const d of s.drains ?? [s]) for (const p of d.timeline) lines.push([i + 1, "async", p.t.toFixed(1), "", "", "", "", "", "", "", "", d.workerInstances ?? "", p.completed].join(","));
        continue;
      }
      for (const p of s.timeline) lines.push([i + 1, s.name, p.t.toFixed(1), p.vus, p.requests, p.errors, p.p95.toFixed(2), "", "", "", "", "", ""].join(","));
      for (const p of s.open?.timeline ?? []) lines.push([i + 1, s.name, p.t.toFixed(1), "", p.achieved, p.errors, p.p95.toFixed(2), p.targetRps, p.offered, p.inFlight, p.taskBacklog ?? "", "", ""].join(","));
    }
  });
  return lines.join("\n") + "\n";
}

/** An SVG made safe to inline next to others: its ids (if any) prefixed so they cannot collide. */
export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/^<\?xml[^>]*>\s*/, "")
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

/** report.html: the markdown rendered, with each figure's SVG inline instead of a link to its file. */
export async function renderHtml(summary: Summary, markdown: string, svgs: ReadonlyMap<string, string>): Promise<string> {
  let index = 0;
  const body = (await marked.parse(markdown)).replace(/<img src="figures\/([^"]+)" alt="([^"]*)"\s*\/?>/g, (_match, file: string, alt: string) => {
    const svg = svgs.get(file);
    return svg ? `<figure role="img" aria-label="${alt}">${inlineSvg(svg, `fig${++index}`)}</figure>` : `<p>[figure ${file} missing]</p>`;
  });
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>valorize experiment: ${summary.environment} ${summary.profile}</title>` +
    `<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;line-height:1.45}table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ccc;padding:.25rem .5rem}figure{margin:1rem 0}figure svg{max-width:100%;height:auto}</style></head>` +
    `<body>\n${body}</body></html>\n`
  );
}

/** Writes the whole report into `outDir` and returns the files written. */
export async function writeReport(summary: Summary, outDir: string, baseline?: Summary): Promise<string[]> {
  await mkdir(join(outDir, "figures"), { recursive: true });
  await mkdir(join(outDir, "raw"), { recursive: true });
  const figures: Figure[] = figuresFor(summary, baseline);
  const written: string[] = [];
  const write = async (relative: string, content: string) => {
    await writeFile(join(outDir, relative), content);
    written.push(relative);
  };
  const svgs = new Map<string, string>();
  for (const figure of figures) {
    const svg = await renderSvg(figure);
    svgs.set(figure.file, svg);
    await write(`figures/${figure.file}`, svg);
  }
  const markdown = renderMarkdown(summary, figures, baseline);
  await write("summary.json", JSON.stringify(summary, null, 2) + "\n");
  await write("report.md", markdown);
  await write("report.html", await renderHtml(summary, markdown, svgs));
  await write("raw/stages.csv", stagesCsv(summary));
  if (summary.runs.some((run) => run.some((s) => s.name !== "async" && s.open))) await write("raw/steps.csv", stepsCsv(summary));
  await write("raw/timeline.csv", timelineCsv(summary));
  if (summary.resilience) {
    const csv = resilienceCsv(summary.resilience);
    await write("raw/resilience-timeline.csv", csv.timeline);
    await write("raw/resilience-faults.csv", csv.faults);
  }
  return written;
}
