/**
 * The resilience scenario in the report: a timeline of the steady load (rate, P95, errors per
 * second) with each fault marked from the moment it struck to the moment the component was back,
 * then a table per fault with its figures and its verdict, and the promise each fault tests.
 */
import type { Figure } from "../report/figures";
import { SLO } from "../slo";
import { PROMPT_CLOSE_MS, RECOVERY_TARGET_SECONDS } from "./faults";
import type { FaultResult, ResilienceResult } from "./types";

const WIDTH = 640;
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (n: number) => `${(n * 100).toFixed(2)} %`;

/** Per second: requests answered and failed, P95, with each fault's span shaded and labelled. */
export function resilienceTimeline(result: ResilienceResult): Figure {
  const spans = result.faults.map((f, i) => ({ from: f.injectedAt, to: Math.max(f.backAt, f.injectedAt + 0.3), label: `${i + 1} ${f.name}`, held: f.verdict.ok ? "held" : "FAILED" }));
  const rate = result.timeline.flatMap((s) => [
    { t: s.t, series: "answered 2xx /s", value: s.ok },
    { t: s.t, series: "errors /s (all attempts)", value: s.errors },
  ]);
  const latency = result.timeline.filter((s) => s.p95 > 0).map((s) => ({ t: s.t + 0.5, p95: s.p95 }));
  const x = { field: "t", type: "quantitative", title: "seconds since the load started" };
  const shade = { data: { values: spans }, mark: { type: "rect", opacity: 0.18 }, encoding: { x: { field: "from", type: "quantitative" }, x2: { field: "to" }, color: { field: "held", type: "nominal", title: "fault verdict", scale: { domain: ["held", "FAILED"], range: ["#f58518", "#d62728"] } } } };
  const labels = { data: { values: spans }, mark: { type: "text", angle: 270, align: "right", baseline: "bottom", dx: -2, dy: -2, fontSize: 9, color: "#555" }, encoding: { x: { field: "from", type: "quantitative" }, y: { value: 0 }, text: { field: "label" } } };
  const maxP95 = Math.max(SLO.p95Ms, ...latency.map((l) => l.p95));
  return {
    file: "resilience-timeline.svg",
    title: "Resilience: the steady load per second, each fault shaded from when it struck until the component was back",
    spec: {
      vconcat: [
        {
          width: WIDTH,
          height: 170,
          layer: [shade, labels, { data: { values: rate }, mark: { type: "line", interpolate: "step-after" }, encoding: { x, y: { field: "value", type: "quantitative", title: "requests/s" }, color: { field: "series", type: "nominal", title: null, scale: { range: ["#4c78a8", "#e45756"] }, legend: { labelLimit: 260 } } } }],
          resolve: { scale: { color: "independent" } },
        },
        {
          width: WIDTH,
          height: 130,
          layer: [
            { ...shade, encoding: { ...shade.encoding, color: { ...shade.encoding.color, legend: null } } },
            { data: { values: latency }, mark: { type: "line", color: "#54a24b" }, encoding: { x, y: { field: "p95", type: "quantitative", title: "P95 (ms, log)", scale: { type: "log", domain: [1, maxP95 * 1.5] } } } },
            { data: { values: [{}] }, mark: { type: "rule", color: "#d62728", strokeDash: [6, 4] }, encoding: { y: { datum: SLO.p95Ms } } },
            { data: { values: [{}] }, mark: { type: "text", color: "#d62728", align: "left", dx: 4, dy: -6, fontSize: 11 }, encoding: { y: { datum: SLO.p95Ms }, x: { value: 0 }, text: { value: `SLO: P95 <= ${SLO.p95Ms} ms` } } },
          ],
        },
      ],
    },
  };
}

function realtimeCell(f: FaultResult): string {
  const r = f.realtime;
  const parts = [`${r.reconnected}/${r.clients} reconnected`, `${r.eventsMissed} of ${r.eventsExpected} events missed`];
  if (r.eventsMissed > 0) parts.push(`${r.caughtUp} caught up`, `${r.unrecovered} unrecovered`);
  if (r.missedWhileConnected > 0) parts.push(`**${r.missedWhileConnected} missed while connected**`);
  if (r.stoppedInstanceClients !== undefined) parts.push(`stopped instance: ${r.stoppedInstanceClosed}/${r.stoppedInstanceClients} closed${r.closeLatencyMs !== undefined ? ` within ${fmt(r.closeLatencyMs)} ms` : ""}`);
  return parts.join(", ");
}

function readinessCell(f: FaultResult): string {
  if (!f.readiness) return "–";
  const r = f.readiness;
  const ready = r.probesWhileDown === 0 ? "not sampled while down" : `${r.probesWhileDown - r.readyWhileDown}/${r.probesWhileDown} not ready while down`;
  return `${ready}; liveness ${r.livenessFailures === 0 ? "up" : `**failed ${r.livenessFailures}x**`}`;
}

/** The report's resilience section (markdown). */
export function resilienceSection(result: ResilienceResult): string {
  const s = result.settings;
  const verdict = result.verdict.ok ? `**Every verdict held** (${result.faults.length} faults).` : `**Failed:**\n${result.verdict.failures.map((f) => `- ${f}`).join("\n")}`;
  const t = result.totals;
  const rows = result.faults.map(
    (f, i) =>
      `| ${i + 1} ${f.name} | ${fmt(f.injectedAt, 1)} | ${fmt(f.backAt - f.injectedAt, 1)} | ${f.recoverySeconds === null ? "**none**" : fmt(f.recoverySeconds, 1)} | ${pct(f.errorRate)} of ${fmt(f.requests)} in ${fmt(f.windowSeconds, 1)} s | ${fmt(f.serverErrors)} (${fmt(f.unavailable)} 503) | ${f.connectionResets} | ${f.failedAfterRetries} | ${f.stackTraces} | ${fmt(f.tasks)} | ${f.lost} | ${f.duplicated} | ${fmt(f.writesCommitted)} | ${f.missingWrites} | ${f.duplicateWrites} | ${realtimeCell(f)} | ${readinessCell(f)} | ${f.verdict.ok ? "held" : `**FAILED**: ${f.verdict.failures.join("; ")}`} |`,
  );
  return [
    "## Resilience: each component stopped under load",
    "",
    `A steady load of ${fmt(s.readRps)} reads/s and ${fmt(s.writeRps)} writes/s (every write with its own Idempotency-Key; every request retried as a client retries: on network errors, 5xx and 429, after Retry-After), ${t.realtimeClients} WebSocket clients over two realtime instances, and a batch of ${fmt(s.drainTasks)} tasks draining when the worker and the dispatcher are stopped. Each fault strikes alone; the next waits until the load held the SLO for ${s.quietSeconds} s. Data services: ${result.dataServices}.`,
    "",
    `Recovery: from the component being back to the start of the first second within the SLO (P95 <= ${SLO.p95Ms} ms, errors < ${SLO.maxErrorRate * 100} %); target <= ${RECOVERY_TARGET_SECONDS} s. Errors count every attempt, retries included (what the server's SLO sees); "failed after retries" is what a client finally saw. Lost: transactions never categorised; duplicated: categorisations announced as new twice; missing writes: answered 201 but not in PostgreSQL; duplicate writes: extra rows for one Idempotency-Key. Clients of a stopped realtime instance must see the close within ${PROMPT_CLOSE_MS} ms, reconnect and find what they missed through the API.`,
    "",
    verdict,
    "",
    "| fault | struck at (s) | down (s) | recovery (s) | errors | 5xx | resets | failed after retries | stack traces | tasks | lost | duplicated | writes (201) | missing writes | duplicate writes | realtime | readiness | verdict |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|:---|",
    ...rows,
    "",
    `Whole run: ${fmt(t.requests)} attempts, ${fmt(t.writesCommitted)} writes committed, ${fmt(t.tasks)} tasks, ${t.lost} lost, ${t.duplicated} duplicated, ${t.missingWrites} missing writes, ${t.duplicateWrites} duplicate writes, ${t.unbalancedAccounts} accounts out of balance, ${t.outboxLeft} outbox rows left, in ${fmt(result.durationSeconds)} s.`,
    "",
    "| fault | what was done | the promise it tests | what the run saw |",
    "|---|---|---|---|",
    ...result.faults.map((f) => `| ${f.name} | ${f.action} | ${f.promise} | ${f.detail}${f.drain ? `; drain batch of ${f.drain.tasks}: ${f.drain.categorisedAtInjection} done when it struck, all done ${f.drain.drainedAt === null ? "**never**" : `at ${fmt(f.drain.drainedAt, 1)} s`}` : ""} |`),
    "",
    ...(t.stackTraceSamples.length > 0 ? ["5xx bodies with stack traces (first few):", "", ...t.stackTraceSamples.map((b) => `    ${b.replace(/\n/g, "\n    ")}`), ""] : []),
  ].join("\n");
}

/** raw/resilience-timeline.csv and raw/resilience-faults.csv. */
export function resilienceCsv(result: ResilienceResult): { timeline: string; faults: string } {
  const timeline = ["t_s,requests,ok,errors,server_errors,resets,p95_ms,held", ...result.timeline.map((s) => [s.t, s.requests, s.ok, s.errors, s.serverErrors, s.resets, s.p95.toFixed(2), s.held].join(","))].join("\n") + "\n";
  const header = "fault,injected_s,back_s,recovery_s,window_s,requests,errors,error_rate,server_errors,unavailable,resets,failed_after_retries,stack_traces,tasks,lost,duplicated,writes_committed,missing_writes,duplicate_writes,realtime_reconnected,realtime_missed,realtime_caught_up,realtime_unrecovered,verdict_ok";
  const faults =
    [
      header,
      ...result.faults.map((f) =>
        [f.name, f.injectedAt.toFixed(2), f.backAt.toFixed(2), f.recoverySeconds?.toFixed(2) ?? "", f.windowSeconds.toFixed(2), f.requests, f.errors, f.errorRate.toFixed(5), f.serverErrors, f.unavailable, f.connectionResets, f.failedAfterRetries, f.stackTraces, f.tasks, f.lost, f.duplicated, f.writesCommitted, f.missingWrites, f.duplicateWrites, f.realtime.reconnected, f.realtime.eventsMissed, f.realtime.caughtUp, f.realtime.unrecovered, f.verdict.ok].join(","),
      ),
    ].join("\n") + "\n";
  return { timeline, faults };
}

/** One line per fault for the end of the command's output. */
export function resilienceLines(result: ResilienceResult): string[] {
  return result.faults.map(
    (f) =>
      `resilience ${f.name}: ${f.verdict.ok ? "held" : "FAILED"}; recovery ${f.recoverySeconds === null ? "none" : `${f.recoverySeconds.toFixed(1)} s`}, errors ${pct(f.errorRate)} (${f.serverErrors} 5xx, ${f.connectionResets} resets), lost ${f.lost}, duplicated ${f.duplicated}, missing writes ${f.missingWrites}, duplicate writes ${f.duplicateWrites}, realtime ${f.realtime.reconnected} reconnected / ${f.realtime.unrecovered} events unrecovered`,
  );
}
