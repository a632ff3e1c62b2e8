/**
 * Cloud Monitoring series for the run window (instances, CPU, queue depth), saved beside the
 * results so the report's load can be correlated with how the platform scaled.
 */
import { writeFile } from "node:fs/promises";
import { GoogleAuth } from "google-auth-library";
import type { MonitoringSeries } from "../results";

export interface MonitoringQuery {
  readonly projectId: string;
  readonly namePrefix: string;
  readonly start: Date;
  readonly end: Date;
  readonly file: string;
}

/** The series the study correlated with its load: instances, CPU, queue backlog. */
export function seriesFilters(namePrefix: string): Record<string, string> {
  const service = (role: string) => `resource.type = "cloud_run_revision" AND resource.labels.service_name = "${namePrefix}-${role}"`;
  return {
    apiInstances: `metric.type = "run.googleapis.com/container/instance_count" AND ${service("api")}`,
    apiCpu: `metric.type = "run.googleapis.com/container/cpu/utilizations" AND ${service("api")}`,
    workerInstances: `metric.type = "run.googleapis.com/container/instance_count" AND ${service("worker")}`,
    queueDepth: `metric.type = "cloudtasks.googleapis.com/queue/depth" AND resource.labels.queue_id = starts_with("${namePrefix}-")`,
    sqlCpu: `metric.type = "cloudsql.googleapis.com/database/cpu/utilization" AND resource.labels.database_id = ends_with(":${namePrefix}-pg")`,
  };
}

/** What each series measures, for the figure's axis. */
export const SERIES_LABELS: Readonly<Record<string, string>> = {
  apiInstances: "api instances",
  apiCpu: "api CPU (P95 of instances, share)",
  workerInstances: "worker instances",
  queueDepth: "task backlog (queue depth)",
  sqlCpu: "Cloud SQL CPU (share)",
};

/** A `timeSeries.list` response's point value (int64 values come as strings). */
interface MonitoringPoint {
  readonly interval: { readonly endTime: string };
  readonly value: { readonly int64Value?: string; readonly doubleValue?: number };
}

/**
 * The series of one filter on the run's time axis: the values of every returned series (queue
 * shards, revisions) summed per timestamp; CPU utilisation (a share) takes the highest instead.
 */
export function reduceSeries(name: string, timeSeries: ReadonlyArray<{ points?: readonly MonitoringPoint[] }>, start: Date): MonitoringSeries {
  const byTime = new Map<number, number>();
  for (const series of timeSeries) {
    for (const point of series.points ?? []) {
      const t = (Date.parse(point.interval.endTime) - start.getTime()) / 1000;
      const value = point.value.doubleValue ?? Number(point.value.int64Value ?? 0);
      byTime.set(t, name.endsWith("Cpu") ? Math.max(byTime.get(t) ?? 0, value) : (byTime.get(t) ?? 0) + value);
    }
  }
  return { name, label: SERIES_LABELS[name] ?? name, points: [...byTime.entries()].sort(([a], [b]) => a - b).map(([t, value]) => ({ t, value })) };
}

/** Fetches each series through the Monitoring API with application default credentials; saves the raw answers and returns them reduced for the report. */
export async function collectMonitoringSeries(query: MonitoringQuery): Promise<MonitoringSeries[]> {
  const auth = new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/monitoring.read"] });
  const client = await auth.getClient();
  const collected: Record<string, unknown> = {};
  const reduced: MonitoringSeries[] = [];
  for (const [name, filter] of Object.entries(seriesFilters(query.namePrefix))) {
    const params = new URLSearchParams({
      filter,
      "interval.startTime": query.start.toISOString(),
      "interval.endTime": query.end.toISOString(),
      "aggregation.alignmentPeriod": "60s",
      "aggregation.perSeriesAligner": name.endsWith("Cpu") ? "ALIGN_PERCENTILE_95" : "ALIGN_MAX",
    });
    const response = await client.request<{ timeSeries?: Array<{ points?: MonitoringPoint[] }> }>({ url: `https://monitoring.googleapis.com/v3/projects/${query.projectId}/timeSeries?${params}` });
    collected[name] = response.data.timeSeries ?? [];
    reduced.push(reduceSeries(name, response.data.timeSeries ?? [], query.start));
  }
  await writeFile(query.file, JSON.stringify(collected, null, 2));
  return reduced;
}
