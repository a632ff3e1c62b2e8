import { describe, expect, it } from "vitest";
import { synthStack } from "../test/support/synth";
import { computeConnectionBudget, ConnectionBudget } from "./connection-budget";

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

  it("fails synth with the numbers when the services could exhaust the database", () => {
    expect(() => synthStack((stack) => new ConnectionBudget(stack, "budget", { consumers, reserve: 20, maxConnections: 100 }))).toThrow(
      /Connection budget exceeded: the services can open 127 PostgreSQL connections \(api: 10 instances x 10 connections = 100; worker: 5 instances x 5 connections = 25; migrate: 1 instances x 2 connections = 2\) but max_connections 100 minus reserve 20 leaves 80/,
    );
  });

  it("passes synth when the budget fits", () => {
    let budget!: ConnectionBudget;
    synthStack((stack) => {
      budget = new ConnectionBudget(stack, "budget", { consumers, reserve: 20 });
    });
    expect(budget.maxConnections).toBe(147);
  });
});
