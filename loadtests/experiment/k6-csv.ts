/**
 * The per-second timeline of a k6 run, from its CSV output (`--out csv=`): requests, errors and
 * P95 per second, in the same shape as the Node runner's timeline.
 */
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import type { TimelinePoint } from "../results";
import type { HttpScenario } from "../scenarios";
import { stageAt, stageEnds } from "../k6/plan";

interface Second {
  latencies: number[];
  requests: number;
  errors: number;
}

export async function k6Timeline(csvFile: string, scenario: HttpScenario): Promise<TimelinePoint[]> {
  const seconds = new Map<number, Second>();
  let first: number | undefined;
  const parser = createReadStream(csvFile).pipe(parse({ columns: true, skip_empty_lines: true }));
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    if (row.tags?.includes("phase=setup") || row.group === "::setup") continue;
    const timestamp = Number(row.timestamp);
    first ??= timestamp;
    const second = seconds.get(timestamp) ?? { latencies: [], requests: 0, errors: 0 };
    seconds.set(timestamp, second);
    if (row.metric_name === "http_req_duration") second.latencies.push(Number(row.metric_value));
    else if (row.metric_name === "http_reqs") second.requests++;
    else if (row.metric_name === "http_req_failed" && Number(row.metric_value) > 0) second.errors++;
  }
  if (first === undefined) return [];
  const ends = stageEnds(scenario);
  return [...seconds.entries()]
    .sort(([a], [b]) => a - b)
    .map(([timestamp, s]) => {
      const sorted = s.latencies.sort((a, b) => a - b);
      const t = timestamp - first!;
      return {
        t,
        vus: scenario.stages[stageAt(ends, t)]!.vus,
        requests: s.requests,
        errors: s.errors,
        p95: sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]! : 0,
      };
    });
}
