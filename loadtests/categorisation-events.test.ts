import { describe, expect, it } from "vitest";
import { CategorisationCounter } from "./categorisation-events";

const categorised = (id: string, repeat?: boolean) => JSON.stringify({ type: "transaction.categorised", transaction_id: id, ...(repeat === undefined ? {} : { repeat }) });

describe("counting categorisations from the backplane's events", () => {
  it("counts an effect applied twice, not a redelivery that announced itself as a repeat", () => {
    const counter = new CategorisationCounter();
    for (const message of [categorised("a"), categorised("b"), categorised("b"), categorised("c"), categorised("c", true)]) counter.observe(message);
    expect(counter.duplicatesOf("a")).toBe(0);
    expect(counter.duplicatesOf("b")).toBe(1);
    expect(counter.duplicatesOf("c")).toBe(0);
    expect(counter.duplicatesOf("never-seen")).toBe(0);
    expect(counter.duplicated).toBe(1);
    expect([...counter.applied.keys()]).toEqual(["a", "b", "c"]);
  });

  it("ignores other events and what is not JSON", () => {
    const counter = new CategorisationCounter();
    for (const message of ["not json", JSON.stringify({ type: "transaction.created", transaction_id: "a" }), JSON.stringify({ type: "transaction.categorised" })]) counter.observe(message);
    expect(counter.applied.size).toBe(0);
    expect(counter.duplicated).toBe(0);
  });
});
