/**
 * The per-second timeline of a k6 run, from its CSV output (`--out csv=`): requests, errors and
 * P95 per second, in the same shape as the Node runner's timeline.
 */
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import type { OpenTimelinePoint, TimelinePoint } from "../results";
import type { HttpScenario } from "../scenarios";
import { stageAt, stageEnds } from "../k6/plan";

interface Second {
  latencies: number[];
  requests: number;
  errors: number;
  dropped: number;
  vus: number;
}

/** k6's CSV output, per second (the setup phase left out). */
async function perSecond(csvFile: string): Promise<{ first: number | undefined; seconds: Map<number, Second> }> {
  const seconds = new Map<number, Second>();
  let first: number | undefined;
  const parser = createReadStream(csvFile).pipe(parse({ columns: true, skip_empty_lines: true }));
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    if (row.tags?.includes("phase=setup") || row.group === "::setup") continue;
    const timestamp = Number(row.timestamp);
    first ??= timestamp;
    const second = seconds.get(timestamp) ?? { latencies: [], requests: 0, errors: 0, dropped: 0, vus: 0 };
    seconds.set(timestamp, second);
    if (row.metric_name === "http_req_duration") second.latencies.push(Number(row.metric_value));
    else if (row.metric_name === "http_reqs") second.requests++;
    else if (row.metric_name === "http_req_failed" && Number(row.metric_value) > 0) second.errors++;
    else if (row.metric_name === "dropped_iterations") second.dropped += Number(row.metric_value);
    else if (row.metric_name === "vus") second.vus = Math.max(second.vus, Number(row.metric_value));
  }
  return { first, seconds };
}

const p95Of = (latencies: number[]) => {
  const sorted = latencies.sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]! : 0;
};

/** One open-model step's seconds, on the search's time axis (`startedAt` = the step's start). */
export async function k6OpenTimeline(csvFile: string, targetRps: number, startedAt: number): Promise<OpenTimelinePoint[]> {
  const { first, seconds } = await perSecond(csvFile);
  if (first === undefined) return [];
  return [...seconds.entries()]
    .sort(([a], [b]) => a - b)
    .map(([timestamp, s]) => ({
      t: startedAt + timestamp - first + 1,
      targetRps,
      offered: s.requests + s.dropped,
      achieved: s.requests - s.errors,
      errors: s.errors + s.dropped,
      p95: p95Of(s.latencies),
      // k6 reports active VUs: each runs one request at a time, so this is the requests in flight at most.
      inFlight: s.vus,
    }));
}

export async function k6Timeline(csvFile: string, scenario: HttpScenario): Promise<TimelinePoint[]> {
  const { first, seconds } = await perSecond(csvFile);
  if (first === undefined) return [];
  const ends = stageEnds(scenario);
  return [...seconds.entries()]
    .sort(([a], [b]) => a - b)
    .map(([timestamp, s]) => {
      const t = timestamp - first!;
      return { t, vus: scenario.stages[stageAt(ends, t)]!.vus, requests: s.requests, errors: s.errors, p95: p95Of(s.latencies) };
    });
}
