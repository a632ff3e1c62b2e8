/**
 * k6's CSV output (`--out csv=<file>`), read while k6 is still writing it, as one summary per
 * second: requests, failed requests and P50/P95/P99 of `http_req_duration`. k6 appends rows as it
 * flushes its samples (about every second), so a second is reported once rows two seconds later
 * have arrived, and everything left when the tail stops. Cloud runs feed the live view (and the
 * terminal's progress line) from it, as the Node runner does locally.
 */
import { open, type FileHandle } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { parse } from "csv-parse/sync";

export interface K6Second {
  /** The second's k6 timestamp (unix seconds). */
  readonly timestamp: number;
  readonly requests: number;
  readonly errors: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** A second is complete once rows this many seconds newer have been read. */
const SETTLE_SECONDS = 2;

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Aggregates rows into seconds; pure, so a test can feed it any chunking of a file. */
export class K6SecondAggregator {
  private columns?: string[];
  private rest = "";
  private newest = -Infinity;
  private readonly seconds = new Map<number, { latencies: number[]; requests: number; errors: number }>();

  /** Takes the next piece of the file; returns the seconds completed by it, oldest first. */
  push(text: string): K6Second[] {
    const lines = (this.rest + text).split("\n");
    this.rest = lines.pop() ?? "";
    if (!this.columns && lines.length > 0) this.columns = parse(lines.shift()!)[0] as string[];
    if (lines.length > 0 && this.columns) {
      const rows = parse(lines.join("\n"), { columns: this.columns, skip_empty_lines: true, relax_column_count: true }) as Array<Record<string, string>>;
      for (const row of rows) this.add(row);
    }
    return this.take((timestamp) => timestamp <= this.newest - SETTLE_SECONDS);
  }

  /** Every second not yet reported (the run is over). */
  flush(): K6Second[] {
    if (this.rest.trim()) this.push("\n");
    return this.take(() => true);
  }

  private add(row: Record<string, string>): void {
    // The setup phase (seeding) is not load.
    if (row.group === "::setup" || row.extra_tags?.includes("phase=setup")) return;
    const timestamp = Number(row.timestamp);
    if (!Number.isFinite(timestamp)) return;
    this.newest = Math.max(this.newest, timestamp);
    let second = this.seconds.get(timestamp);
    if (!second) this.seconds.set(timestamp, (second = { latencies: [], requests: 0, errors: 0 }));
    if (row.metric_name === "http_req_duration") second.latencies.push(Number(row.metric_value));
    else if (row.metric_name === "http_reqs") second.requests++;
    else if (row.metric_name === "http_req_failed" && Number(row.metric_value) > 0) second.errors++;
  }

  private take(done: (timestamp: number) => boolean): K6Second[] {
    const ready = [...this.seconds.keys()].filter(done).sort((a, b) => a - b);
    return ready.map((timestamp) => {
      const second = this.seconds.get(timestamp)!;
      this.seconds.delete(timestamp);
      const sorted = second.latencies.sort((a, b) => a - b);
      return { timestamp, requests: second.requests, errors: second.errors, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
    });
  }
}

/**
 * Follows `csvFile` (it may not exist yet) and calls `onSecond` for each completed second until
 * `stop()`, which reads what is left and reports the remaining seconds.
 */
export function tailK6Csv(csvFile: string, onSecond: (second: K6Second) => void, pollMs = 500): { stop(): Promise<void> } {
  const aggregator = new K6SecondAggregator();
  // A read may end inside a multi-byte character: the decoder keeps it for the next one.
  const decoder = new StringDecoder("utf8");
  let handle: FileHandle | undefined;
  let offset = 0;
  let reading: Promise<void> = Promise.resolve();
  const readMore = async () => {
    handle ??= await open(csvFile, "r").catch(() => undefined);
    if (!handle) return;
    const buffer = Buffer.alloc(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      for (const second of aggregator.push(decoder.write(buffer.subarray(0, bytesRead)))) onSecond(second);
    }
  };
  const timer = setInterval(() => {
    reading = reading.then(readMore).catch(() => undefined);
  }, pollMs);
  return {
    async stop() {
      clearInterval(timer);
      await reading;
      await readMore().catch(() => undefined);
      for (const second of aggregator.flush()) onSecond(second);
      await handle?.close();
    },
  };
}
