/**
 * Cloud Monitoring series for the run window (instances, CPU, queue depth), saved beside the
 * results so the report's load can be correlated with how the platform scaled.
 */
import { writeFile } from "node:fs/promises";
import { GoogleAuth } from "google-auth-library";

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

/** Fetches each series through the Monitoring API with application default credentials; returns how many came back. */
export async function collectMonitoringSeries(query: MonitoringQuery): Promise<number> {
  const auth = new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/monitoring.read"] });
  const client = await auth.getClient();
  const collected: Record<string, unknown> = {};
  let count = 0;
  for (const [name, filter] of Object.entries(seriesFilters(query.namePrefix))) {
    const params = new URLSearchParams({
      filter,
      "interval.startTime": query.start.toISOString(),
      "interval.endTime": query.end.toISOString(),
      "aggregation.alignmentPeriod": "60s",
      "aggregation.perSeriesAligner": name.endsWith("Cpu") ? "ALIGN_PERCENTILE_95" : "ALIGN_MAX",
    });
    const response = await client.request<{ timeSeries?: unknown[] }>({ url: `https://monitoring.googleapis.com/v3/projects/${query.projectId}/timeSeries?${params}` });
    collected[name] = response.data.timeSeries ?? [];
    count += response.data.timeSeries?.length ?? 0;
  }
  await writeFile(query.file, JSON.stringify(collected, null, 2));
  return count;
}
