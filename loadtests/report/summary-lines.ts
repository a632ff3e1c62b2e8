/** The few lines the experiment command prints at the end: one per scenario, then the speedup. */
import type { Summary } from "../results";
import { kneeAcrossRuns, lowerBoundNote, measuredVcpus, reportWarnings } from "./write-report";
import { resilienceLines } from "../resilience/report";

const n = (value: number) => Math.round(value).toLocaleString("en-US");

export function summaryLines(summary: Summary): string[] {
  const vcpus = measuredVcpus(summary);
  const lines: string[] = [];
  for (const scenario of summary.scenarios) {
    if (scenario.name === "async") {
      for (const d of scenario.drains ?? [scenario]) {
        const workers = d.workerInstances === undefined ? "" : ` with ${d.workerInstances} worker${d.workerInstances === 1 ? "" : "s"}`;
        lines.push(`async${workers}: ${n(d.tasks)} tasks published in ${d.publishSeconds.toFixed(1)} s, drained in ${d.drainSeconds.toFixed(1)} s${d.drainMode === "overlapped" ? " (overlapping publishing)" : ""} = ${d.tasksPerSecond.toFixed(1)} tasks/s, lost ${d.lost}, duplicated ${d.duplicated}`);
      }
      continue;
    }
    const knee = scenario.knee ? kneeAcrossRuns(summary, scenario.name) : undefined;
    if (knee) {
      const k = knee.median;
      const held = knee.ci95 !== undefined ? `${n(knee.heldRps)} ± ${n(knee.ci95)} req/s (95 % CI, ${knee.runs} runs; below: run ${knee.medianRun}, the median)` : `${n(knee.heldRps)} req/s`;
      lines.push(
        `${scenario.name}: knee ${held}${lowerBoundNote(knee)} = ${n(knee.heldRps / vcpus)} per api vCPU; P95 ${k.p95.toFixed(1)} ms, errors ${(k.errorRate * 100).toFixed(2)} % at the knee; ${k.brokeAtRps === null ? "never broke" : `broke at ${n(k.brokeAtRps)} req/s (${k.brokeBecause})`}; generator ${(k.generatorCpuShare * 100).toFixed(0)} % of a core`,
      );
    }
    if (scenario.stages.length > 0) {
      lines.push(`${scenario.name}: mean ${scenario.meanRps.toFixed(1)} req/s, peak ${scenario.peakRps} req/s, P95 ${scenario.p95.toFixed(1)} ms, errors ${(scenario.errorRate * 100).toFixed(2)} %${scenario.sloBrokeAtVus === null ? "" : `, SLO broke at ${scenario.sloBrokeAtVus} VUs`} (closed model)`);
    }
  }
  for (const p of summary.speedup ?? []) {
    if (p.knee) lines.push(`speedup: ${p.instances} api instance(s): knee ${n(p.knee.heldRps)} req/s${p.fixedLoad ? `; fixed load ${n(p.fixedLoad.rps)} req/s P95 ${p.fixedLoad.p95.toFixed(1)} ms` : ""}${p.scaledLoad ? `; scaled load ${n(p.scaledLoad.rps)} req/s P95 ${p.scaledLoad.p95.toFixed(1)} ms` : ""}`);
    else lines.push(`speedup: ${p.instances} api instance(s): mean ${(p.meanRps ?? 0).toFixed(1)} req/s, P95 ${(p.p95 ?? 0).toFixed(1)} ms`);
  }
  if (summary.resilience) lines.push(...resilienceLines(summary.resilience));
  for (const warning of reportWarnings(summary)) lines.push(`warning: ${warning}`);
  const load = summary.machine.loadAverage;
  if (load) lines.push(`load average (1, 5, 15 min): ${load.atStart.join(", ")} at the start, ${load.atEnd.join(", ")} at the end`);
  return lines;
}
