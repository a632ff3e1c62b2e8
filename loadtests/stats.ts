/**
 * Statistics for load-test results: latency percentiles from HDR histograms, and means and 95 %
 * confidence intervals across repeated runs. (SLO verdicts live in slo.ts, which k6 bundles too.)
 */
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import * as hdr from "hdr-histogram-js";

export { SLO, sloVerdict, type SloVerdict } from "./slo";

/**
 * Latency recorder: microsecond resolution, 3 significant digits (0.1 % error), up to an hour.
 * Memory stays constant however many requests a stage sends.
 */
export class LatencyHistogram {
  private readonly histogram = hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

  recordMs(latencyMs: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** Percentile in ms (`p` in 0–100); 0 for an empty histogram. */
  percentileMs(p: number): number {
    return this.count === 0 ? 0 : this.histogram.getValueAtPercentile(p) / 1000;
  }

  meanMs(): number {
    return this.count === 0 ? 0 : this.histogram.mean / 1000;
  }

  maxMs(): number {
    return this.count === 0 ? 0 : this.histogram.maxValue / 1000;
  }

  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. Robust to one noisy round. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function sampleStdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
}

export interface Estimate {
  readonly mean: number;
  /** Half-width of the 95 % confidence interval (Student's t); 0 with fewer than two runs. */
  readonly ci95: number;
  readonly n: number;
}

/** Mean and 95 % confidence interval of repeated measurements of one quantity. */
export function estimate(values: readonly number[]): Estimate {
  const n = values.length;
  if (n < 2) return { mean: mean(values), ci95: 0, n };
  const t = tQuantile(0.975, n - 1);
  return { mean: mean(values), ci95: (t * sampleStdDev(values)) / Math.sqrt(n), n };
}
