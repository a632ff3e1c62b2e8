import { describe, expect, it } from "vitest";
import { synthStack } from "../test/support/synth";
import { ConnectionBudget } from "./connection-budget";

const consumers = [
  { name: "api", maxInstances: 10, poolSize: 10 },
  { name: "worker", maxInstances: 5, poolSize: 5 },
  { name: "migrate", maxInstances: 1, poolSize: 2 },
];

describe("ConnectionBudget", () => {
  it("fails synth with the numbers when the services could exhaust the database", () => {
    expect(() => synthStack((stack) => new ConnectionBudget(stack, "budget", { consumers, reserve: 20, maxConnections: 100 }))).toThrow(
      /Connection budget exceeded: the services can open 127 PostgreSQL connections \(api: 10 instances x 10 connections = 100; worker: 5 instances x 5 connections = 25; migrate: 1 instances x 2 connections = 2\) but max_connections 100 minus reserve 20 leaves 80/,
    );
  });

  it("passes synth when the budget fits, deriving max_connections with the default reserve", () => {
    let budget!: ConnectionBudget;
    synthStack((stack) => {
      budget = new ConnectionBudget(stack, "budget", { consumers });
    });
    expect(budget.maxConnections).toBe(147);
  });
});
