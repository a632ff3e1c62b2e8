import { describe, expect, it } from "vitest";
import { computeConnectionBudget, DEFAULT_CONNECTION_RESERVE } from "./connection-budget";

const consumers = [
  { name: "api", maxInstances: 10, poolSize: 10 },
  { name: "worker", maxInstances: 5, poolSize: 5 },
  { name: "migrate", maxInstances: 1, poolSize: 2 },
];

describe("connection budget", () => {
  it("sums max instances x pool size and derives max_connections with the reserve", () => {
    const result = computeConnectionBudget({ consumers, reserve: 20 });
    expect(result.budget).toBe(127);
    expect(result.maxConnections).toBe(147);
    expect(result.fits).toBe(true);
    expect(result.breakdown).toContain("api: 10 instances x 10 connections = 100");
  });

  it("accepts an explicit max_connections the budget fits under", () => {
    expect(computeConnectionBudget({ consumers, reserve: 20, maxConnections: 147 }).fits).toBe(true);
    expect(computeConnectionBudget({ consumers, reserve: 20, maxConnections: 146 }).fits).toBe(false);
  });

  it("keeps the default reserve when none is given", () => {
    expect(computeConnectionBudget({ consumers }).reserve).toBe(DEFAULT_CONNECTION_RESERVE);
    expect(computeConnectionBudget({ consumers }).maxConnections).toBe(127 + DEFAULT_CONNECTION_RESERVE);
  });
});
