/**
 * The worker's statement batching over real PostgreSQL: calls made within the batch window, even
 * in different event-loop turns (tasks arrive one HTTP request at a time), share one statement,
 * and each caller still gets its own answer.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BATCH_WINDOW_MS, batchedTransactions } from "../adapters/postgres/batching";
import { transactionRepository } from "../adapters/postgres/repositories/transactions";
import { isolate, type Isolated } from "./support/isolation";

let isolated: Isolated;
beforeAll(async () => {
  isolated = await isolate("batching");
});
afterAll(async () => {
  await isolated?.cleanup();
});

describe("worker statement batching", () => {
  it("answers calls spread over several event-loop turns within the window with one statement each kind, each caller its own row", async () => {
    const { rows } = await isolated.pool.query<{ id: string }>("INSERT INTO users (email, name, password_hash) VALUES ($1, 'B', 'x') RETURNING id", [`b-${randomUUID()}@example.com`]);
    const userId = rows[0]!.id;
    const { rows: accounts } = await isolated.pool.query<{ id: string }>("INSERT INTO accounts (user_id, name, currency) VALUES ($1, 'A', 'EUR') RETURNING id", [userId]);
    const ids = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const { rows: tx } = await isolated.pool.query<{ id: string }>(
          "INSERT INTO transactions (user_id, account_id, amount_cents, description, occurred_at) VALUES ($1, $2, $3, 'x', now()) RETURNING id",
          [userId, accounts[0]!.id, -100 - i],
        );
        return tx[0]!.id;
      }),
    );
    let statements = 0;
    const counting = new Proxy(isolated.pool, {
      get(target, property, receiver) {
        if (property === "query") return (...args: unknown[]) => (statements++, (target.query as (...a: unknown[]) => unknown).apply(target, args));
        return Reflect.get(target, property, receiver);
      },
    });
    const repo = batchedTransactions(counting, transactionRepository(counting));
    // Five finds issued 2 ms apart (separate timer callbacks), all inside the window; one is another tenant's view.
    const calls = [ids[0]!, ids[1]!, ids[2]!, randomUUID(), ids[0]!].map((id, i) => sleep(2 * i).then(() => repo.find(i === 4 ? randomUUID() : userId, id)));
    const found = await Promise.all(calls);
    expect(BATCH_WINDOW_MS).toBeGreaterThan(2 * 4);
    expect(statements).toBe(1);
    expect(found.map((t) => (t ? Number(t.amountCents) : undefined))).toEqual([-100, -101, -102, undefined, undefined]);
  });
});
