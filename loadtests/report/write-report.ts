/**
 * Writes an experiment's report directory:
 *   summary.json        machine-readable results (the `Summary` type)
 *   report.md / .html   figures, per-stage tables with SLO verdicts, the study comparison
 *   figures/*.svg       one file per figure
 *   raw/*.csv           per-stage rows and per-second timelines of every run
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { marked } from "marked";
import type { AsyncScenarioResult, HttpScenarioResult, ScenarioResult, Summary } from "../results";
import { SLO } from "../stats";
import { figuresFor, renderSvg } from "./figures";

/** The reference study's Table 1 (10 Cloud Run instances of 1 vCPU). */
export const STUDY = {
  vcpus: 10,
  read: { meanRps: 470, peakRps: 970, p95: 158 },
  mixed: { meanRps: 226, peakRps: 450, p95: 658, sloBrokeAtVus: 539 },
  async: { tasks: 51_580, drainSeconds: 600, tasksPerSecond: 86 },
} as const;

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "–");
const pct = (n: number) => `${(n * 100).toFixed(2)} %`;

/** vCPUs the measured system had: the api capacity, bounded by the machine's cores when local. */
export function measuredVcpus(summary: Summary): number {
  const api = summary.capacity.apiInstances * summary.capacity.vcpusPerInstance;
  return summary.environment === "local" ? Math.min(api, summary.machine.cpus) : api;
}

export interface ComparisonRow {
  readonly metric: string;
  readonly study: number;
  readonly measured: number;
  /** Per-vCPU ratio (throughput: higher is better) or plain ratio (latency: lower is better). */
  readonly ratio: number;
  readonly perVcpu: boolean;
}

/** This run beside the study's Table 1; throughputs are compared per vCPU. */
export function comparisonRows(summary: Summary): ComparisonRow[] {
  const vcpus = measuredVcpus(summary);
  const perVcpu = (measured: number, study: number) => measured / vcpus / (study / STUDY.vcpus);
  const rows: ComparisonRow[] = [];
  for (const scenario of summary.scenarios) {
    if (scenario.name === "async") {
      rows.push({ metric: "async tasks/s", study: STUDY.async.tasksPerSecond, measured: scenario.tasksPerSecond, ratio: perVcpu(scenario.tasksPerSecond, STUDY.async.tasksPerSecond), perVcpu: true });
      continue;
    }
    const study = STUDY[scenario.name];
    rows.push(
      { metric: `${scenario.name} mean req/s`, study: study.meanRps, measured: scenario.meanRps, ratio: perVcpu(scenario.meanRps, study.meanRps), perVcpu: true },
      { metric: `${scenario.name} peak req/s`, study: study.peakRps, measured: scenario.peakRps, ratio: perVcpu(scenario.peakRps, study.peakRps), perVcpu: true },
      { metric: `${scenario.name} P95 (ms)`, study: study.p95, measured: scenario.p95, ratio: scenario.p95 / study.p95, perVcpu: false },
    );
  }
  return rows;
}

function stageTable(result: HttpScenarioResult): string {
  const header = "| VUs | duration (s) | requests | req/s | P50 (ms) | P95 (ms) | P99 (ms) | errors | SLO |\n|---:|---:|---:|---:|---:|---:|---:|---:|:---|";
  const rows = result.stages.map(
    (s) => `| ${s.vus} | ${fmt(s.durationSeconds)} | ${fmt(s.requests)} | ${fmt(s.rps, 1)} | ${fmt(s.p50, 1)} | ${fmt(s.p95, 1)} | ${fmt(s.p99, 1)} | ${pct(s.errorRate)} | ${s.slo.ok ? "held" : `**broken**: ${s.slo.reason}`} |`,
  );
  return [header, ...rows].join("\n");
}

function scenarioSection(result: ScenarioResult): string {
  if (result.name === "async") return asyncSection(result);
  const generator = result.generator
    ? `Load generator (${result.generator.tool}): ${fmt(result.generator.cpuPercentOfOneCore)} % of one core over ${fmt(result.generator.wallSeconds)} s, peak RSS ${fmt(result.generator.peakRssMb)} MB.`
    : "";
  const broke = result.sloBrokeAtVus === null ? "The SLO held at every stage." : `The SLO first broke at **${result.sloBrokeAtVus} VUs**.`;
  return [
    `### ${result.name}`,
    "",
    `Mean ${fmt(result.meanRps, 1)} req/s, peak ${fmt(result.peakRps, 1)} req/s, P95 ${fmt(result.p95, 1)} ms, errors ${pct(result.errorRate)}. ${broke}`,
    "",
    stageTable(result),
    "",
    generator,
  ].join("\n");
}

function asyncSection(result: AsyncScenarioResult): string {
  return [
    "### async",
    "",
    `| tasks | publish (s) | drain (s) | tasks/s | lost | duplicated | verdict |`,
    `|---:|---:|---:|---:|---:|---:|:---|`,
    `| ${fmt(result.tasks)} | ${fmt(result.publishSeconds, 1)} | ${fmt(result.drainSeconds, 1)} | ${fmt(result.tasksPerSecond, 1)} | ${result.lost} | ${result.duplicated} | ${result.ok ? "none lost, none duplicated" : "**FAILED**"} |`,
  ].join("\n");
}

function comparisonTable(summary: Summary): string {
  const vcpus = measuredVcpus(summary);
  const rows = comparisonRows(summary).map(
    (r) => `| ${r.metric} | ${fmt(r.study, 1)} | ${fmt(r.measured, 1)} | ${r.perVcpu ? `${fmt(r.ratio, 2)}x per vCPU` : `${fmt(r.ratio, 2)}x (lower is better)`} |`,
  );
  return [
    `Study: ${STUDY.vcpus} Cloud Run instances of 1 vCPU. This run: ${vcpus} vCPU${summary.environment === "local" ? ` (the machine's cores, shared by the api, worker, PostgreSQL, Redis and the load generator)` : ""}.`,
    "",
    "| metric | study | this run | ratio |",
    "|---|---:|---:|---:|",
    ...rows,
  ].join("\n");
}

export function renderMarkdown(summary: Summary, figureFiles: ReadonlyArray<{ file: string; title: string }>): string {
  const verdict = summary.verdict.ok ? "**All SLOs held; no task lost or duplicated.**" : `**Failed:**\n${summary.verdict.failures.map((f) => `- ${f}`).join("\n")}`;
  return [
    `# Experiment report: ${summary.environment}, profile ${summary.profile}`,
    "",
    `${summary.startedAt} – ${summary.finishedAt}, target ${summary.baseUrl}, ${summary.runs.length} run(s). SLOs: P95 <= ${SLO.p95Ms} ms, errors < ${SLO.maxErrorRate * 100} %.`,
    "",
    verdict,
    "",
    "## Figures",
    "",
    ...figureFiles.flatMap((f) => [`![${f.title}](figures/${f.file})`, ""]),
    "## Results",
    "",
    ...summary.scenarios.flatMap((s) => [scenarioSection(s), ""]),
    "## Beside the study's Table 1",
    "",
    comparisonTable(summary),
    "",
    "## Environment",
    "",
    `Machine ${summary.machine.hostname}: ${summary.machine.cpus} x ${summary.machine.cpuModel}, ${fmt(summary.machine.memoryGb, 1)} GB, ${summary.machine.platform}. ` +
      `Versions: ${Object.entries(summary.versions).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
    "",
    "Raw data: `summary.json`, `raw/*.csv`.",
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

function timelineCsv(summary: Summary): string {
  const lines = ["run,scenario,t_s,vus,requests,errors,p95_ms,completed_tasks"];
  summary.runs.forEach((run, i) => {
    for (const s of run) {
      if (s.name === "async") for (const p of s.timeline) lines.push([i + 1, "async", p.t.toFixed(1), "", "", "", "", p.completed].join(","));
      else for (const p of s.timeline) lines.push([i + 1, s.name, p.t.toFixed(1), p.vus, p.requests, p.errors, p.p95.toFixed(2), ""].join(","));
    }
  });
  return lines.join("\n") + "\n";
}

/** Writes the whole report into `outDir` and returns the files written. */
export async function writeReport(summary: Summary, outDir: string): Promise<string[]> {
  await mkdir(join(outDir, "figures"), { recursive: true });
  await mkdir(join(outDir, "raw"), { recursive: true });
  const figures = figuresFor(summary);
  const written: string[] = [];
  const write = async (relative: string, content: string) => {
    await writeFile(join(outDir, relative), content);
    written.push(relative);
  };
  for (const figure of figures) await write(`figures/${figure.file}`, await renderSvg(figure));
  const markdown = renderMarkdown(summary, figures);
  await write("summary.json", JSON.stringify(summary, null, 2) + "\n");
  await write("report.md", markdown);
  await write(
    "report.html",
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>valorize experiment: ${summary.environment} ${summary.profile}</title>` +
      `<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;line-height:1.45}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem}img{max-width:100%}</style></head>` +
      `<body>\n${await marked.parse(markdown)}</body></html>\n`,
  );
  await write("raw/stages.csv", stagesCsv(summary));
  await write("raw/timeline.csv", timelineCsv(summary));
  return written;
}
