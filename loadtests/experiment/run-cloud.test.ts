import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { HttpScenario } from "../scenarios";
import { k6Timeline } from "./k6-csv";
import { reduceSeries, seriesFilters } from "./monitoring";
import { ExperimentError } from "../errors";
import { loadEnvironment } from "../../environments";
import { parseStackOutputs, queueGateCommands, terraformError } from "./run-cloud";

describe("stack outputs", () => {
  const outputs = {
    base_url: { value: "https://valorize.example.com/" },
    project_id: { value: "acme-prod-1" },
    region: { value: "us-central1" },
  };

  it("reads the base URL, project and region", () => {
    expect(parseStackOutputs(JSON.stringify(outputs))).toEqual({ baseUrl: "https://valorize.example.com", projectId: "acme-prod-1", region: "us-central1" });
  });

  it("says to deploy first when an output is missing", () => {
    expect(() => parseStackOutputs(JSON.stringify({ ...outputs, base_url: undefined }))).toThrow(/stack output "base_url" is missing: deploy the environment first/);
    expect(() => parseStackOutputs(JSON.stringify({ ...outputs, region: { value: "" } }))).toThrow(ExperimentError);
  });

  it("quotes Terraform's error line, not its warning boxes", () => {
    const stderr = '╷\n│ Warning: Unable to open CLI configuration file\n╵\n\nError: Backend initialization required, please run "terraform init"\n\nReason: ...\n';
    expect(terraformError(stderr)).toBe('Backend initialization required, please run "terraform init"');
    expect(terraformError("something odd\nlast line\n")).toBe("last line");
    expect(terraformError("")).toBe("no error output");
  });
});

describe("k6 CSV timeline", () => {
  it("counts requests, errors and P95 per second, and labels each second with its stage's VUs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "k6csv-"));
    try {
      const header = "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags";
      const row = (metric: string, t: number, value: number, group = "") => `${metric},${t},${value},,,,true,${group},GET,x,HTTP/1.1,load,,200,,,x,`;
      const lines = [header, row("http_reqs", 99, 1, "::setup"), row("http_req_duration", 99, 5000, "::setup")];
      for (let i = 0; i < 20; i++) lines.push(row("http_reqs", 100, 1), row("http_req_duration", 100, i + 1), row("http_req_failed", 100, i === 0 ? 1 : 0));
      for (let i = 0; i < 5; i++) lines.push(row("http_reqs", 102, 1), row("http_req_duration", 102, 100), row("http_req_failed", 102, 0));
      await writeFile(join(dir, "k6.csv"), lines.join("\n"));
      const scenario = { stages: [{ vus: 10, durationSeconds: 2 }, { vus: 20, durationSeconds: 2 }] } as unknown as HttpScenario;
      const timeline = await k6Timeline(join(dir, "k6.csv"), scenario);
      expect(timeline).toEqual([
        { t: 0, vus: 10, requests: 20, errors: 1, p95: 19 },
        { t: 2, vus: 20, requests: 5, errors: 0, p95: 100 },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("Cloud Monitoring series", () => {
  it("asks for the environment's own services, queues and database", () => {
    const filters = seriesFilters("valorize-dev");
    expect(filters.apiInstances).toContain('resource.labels.service_name = "valorize-dev-api"');
    expect(filters.queueDepth).toContain('starts_with("valorize-dev-")');
    expect(filters.sqlCpu).toContain('ends_with(":valorize-dev-pg")');
  });
});

describe("async drain in the cloud", () => {
  it("pauses and resumes every categorisation queue shard the stack creates (publishing while paused, then the drain alone)", () => {
    const config = loadEnvironment("dev", { env: { VALORIZE_DEV_PROJECT_ID: "acme-dev-1" } });
    const pause = queueGateCommands("pause", config, { projectId: "acme-dev-1", region: "europe-west1" });
    expect(pause).toHaveLength(config.taskQueues.categorise.shards);
    expect(pause[0]).toEqual(["tasks", "queues", "pause", `${config.namePrefix}-categorise-0`, "--location=europe-west1", "--project=acme-dev-1", "--quiet"]);
    expect(queueGateCommands("resume", config, { projectId: "p", region: "r" }).map((c) => c[2])).toEqual(Array(config.taskQueues.categorise.shards).fill("resume"));
  });
});

describe("Cloud Monitoring series for the report", () => {
  it("sums series of one filter per timestamp (queue shards) and takes the highest CPU, on the run's time axis", () => {
    const start = new Date("2026-11-22T10:00:00Z");
    const point = (minute: number, value: { int64Value?: string; doubleValue?: number }) => ({ interval: { endTime: new Date(start.getTime() + minute * 60_000).toISOString() }, value });
    const depth = reduceSeries("queueDepth", [{ points: [point(1, { int64Value: "300" }), point(2, { int64Value: "10" })] }, { points: [point(1, { int64Value: "200" })] }], start);
    expect(depth).toEqual({ name: "queueDepth", label: "task backlog (queue depth)", points: [{ t: 60, value: 500 }, { t: 120, value: 10 }] });
    const cpu = reduceSeries("apiCpu", [{ points: [point(1, { doubleValue: 0.4 })] }, { points: [point(1, { doubleValue: 0.7 })] }], start);
    expect(cpu.points).toEqual([{ t: 60, value: 0.7 }]);
  });
});
