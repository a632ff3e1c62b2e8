import { describe, expect, it } from "vitest";
import { ENVIRONMENTS, EnvironmentConfigError, parseEnvironment } from ".";

const dev = ENVIRONMENTS.dev;
function rejection(observability: unknown): string {
  try {
    parseEnvironment({ ...dev, observability });
  } catch (error) {
    if (error instanceof EnvironmentConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("observability settings", () => {
  it("defaults to the study's SLOs over 28 days and three uptime regions", () => {
    const { observability } = parseEnvironment(dev);
    expect(observability.slos.map((s) => `${s.service}/${s.sli}@${s.objective}`)).toEqual(["api/availability@0.995", "api/latency@0.95", "realtime/availability@0.995", "worker/task-success@0.995"]);
    expect(observability.slos.find((s) => s.sli === "latency")?.thresholdMs).toBe(300);
    expect(observability.uptime.regions).toHaveLength(3);
  });

  it.each([
    [{ slos: [{ service: "api", sli: "availability", objective: 1 }] }, /observability\.slos\.0\.objective = 1: must be at most 0.999/],
    [{ slos: [{ service: "api", sli: "availability", objective: 0.99, windowDays: 31 }] }, /windowDays = 31: must be at most 30 days/],
    [{ slos: [{ service: "api", sli: "latency", objective: 0.95 }] }, /thresholdMs = \(unset\): is required for a latency SLO/],
    [{ slos: [{ service: "realtime", sli: "latency", objective: 0.95, thresholdMs: 300 }] }, /realtime has no latency SLO: a WebSocket request lasts as long as the connection/],
    [{ slos: [{ service: "api", sli: "task-success", objective: 0.99 }] }, /task-success applies to the worker only/],
    [{ slos: [{ service: "api", sli: "availability", objective: 0.99 }, { service: "api", sli: "availability", objective: 0.999 }] }, /defines api\/availability twice/],
    [{ notifications: { pageEmails: ["not-an-email"] } }, /pageEmails\.0 = "not-an-email": must be an email address/],
    [{ uptime: { regions: ["USA", "EUROPE"] } }, /uptime\.regions = \["USA","EUROPE"\]: needs at least 3 regions/],
    [{ alerts: { sqlCpu: 1.5 } }, /alerts\.sqlCpu = 1.5: sqlCpu must be below 1/],
    [{ alerts: { errorBudgetLeft: 1 } }, /alerts\.errorBudgetLeft = 1: errorBudgetLeft must be below 1/],
  ])("rejects %j", (observability, message) => {
    expect(rejection(observability)).toMatch(message);
  });
});
