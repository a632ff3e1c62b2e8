import { describe, expect, it } from "vitest";
import { openArrival, type RequestKind } from "./requests";
import { PAPER_SCENARIOS } from "./scenarios";

const mix = PAPER_SCENARIOS.mixed.mix;
const count = (kinds: RequestKind[]) => ({
  listTransactions: kinds.filter((k) => k === "listTransactions").length,
  createTransaction: kinds.filter((k) => k === "createTransaction").length,
  listAccounts: kinds.filter((k) => k === "listAccounts").length,
});

describe("open-model arrivals", () => {
  it.each([800, 100, 99, 130, 7])("with %i users: the mix is exact from the first 100 arrivals on, and every user writes", (users) => {
    const population = Array.from({ length: users }, (_, i) => i);
    const arrivals = Array.from({ length: 100 * users }, (_, n) => openArrival(population, mix, n));
    // The first 100 arrivals (no warm-up: a short step must already carry the writes).
    if (users >= 100) expect(count(arrivals.slice(0, 100).map((a) => a.kind))).toEqual(mix);
    // Over every user's 100 iterations, each user's own requests follow the mix: writes spread over all accounts.
    for (const u of [0, 1, users - 1]) {
      const own = arrivals.filter((a) => a.user === u);
      expect(own.map((a) => a.iteration)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(count(own.map((a) => a.kind))).toEqual(mix);
    }
  });
});
