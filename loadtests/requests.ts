/**
 * The requests a virtual user sends, shared by the Node runner and the k6 scripts (which bundle
 * this module), so both put exactly the same load on the API.
 *
 * Pure and deterministic: every choice derives from the VU's iteration counter, so two runs of a
 * scenario send the same sequence of requests.
 */
import type { RequestMix } from "./scenarios";

/** A user the load acts as: its bearer token and its accounts. */
export interface LoadUser {
  readonly token: string;
  readonly accountIds: readonly string[];
}

export interface LoadFixtures {
  readonly users: readonly LoadUser[];
}

export type RequestKind = keyof RequestMix;

export interface LoadRequest {
  readonly kind: RequestKind;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** Descriptions that the default categorisation rules recognise, as a card statement would show. */
export const MERCHANT_DESCRIPTIONS = [
  "UBER *TRIP",
  "TESCO STORES",
  "Starbucks coffee",
  "Shell fuel station",
  "Netflix subscription",
  "Lidl",
  "City pharmacy",
  "Amazon Marketplace",
] as const;

const DAY_MS = 86_400_000;

/**
 * Picks the request kind for an iteration so that over any 20 consecutive iterations the mix is
 * exact over any 100 consecutive iterations, interleaved rather than in blocks.
 */
export function kindFor(mix: RequestMix, iteration: number): RequestKind {
  const slot = (iteration * 7) % 100; // 7 is coprime with 100: visits every slot once per 100 iterations
  if (slot < mix.listTransactions) return "listTransactions";
  if (slot < mix.listTransactions + mix.createTransaction) return "createTransaction";
  return "listAccounts";
}

/**
 * Open model: who arrival n is and what it sends. It acts as user n mod U on that user's iteration
 * n div U, so the load spreads evenly over the whole population whatever the concurrency; its kind
 * is kindFor(mix, iteration + user index), which keeps the mix exact over any 100 consecutive
 * arrivals of a round and over each user's own 100 iterations (the kind may not follow the user's
 * iteration alone: with 800 users the first 8,000 arrivals would all be iterations 0-9, all reads).
 */
export function openArrival<U>(users: readonly U[], mix: RequestMix, n: number): { user: U; iteration: number; kind: RequestKind } {
  const index = n % users.length;
  const iteration = Math.floor(n / users.length);
  return { user: users[index]!, iteration, kind: kindFor(mix, iteration + index) };
}

/** `GET /api/transactions`, alternating accounts, filters and pages like the study's read test. */
export function listTransactionsPath(user: LoadUser, iteration: number, now: number): string {
  const params = new URLSearchParams();
  if (user.accountIds.length > 0) params.set("account_id", user.accountIds[iteration % user.accountIds.length]!);
  switch (iteration % 4) {
    case 1:
      params.set("from", new Date(now - 30 * DAY_MS).toISOString().slice(0, 10));
      break;
    case 2:
      params.set("from", new Date(now - 180 * DAY_MS).toISOString().slice(0, 10));
      params.set("to", new Date(now - 90 * DAY_MS).toISOString().slice(0, 10));
      break;
    case 3:
      params.set("page", String(2 + (Math.floor(iteration / 4) % 4)));
      break;
  }
  params.set("per_page", "20");
  return `/api/transactions?${params.toString()}`;
}

/** `POST /api/transactions` without a category, so the api enqueues a categorisation task. */
export function createTransactionBody(user: LoadUser, iteration: number, now: number): string {
  const cents = 150 + ((iteration * 7919) % 12_000);
  return JSON.stringify({
    account_id: user.accountIds[iteration % Math.max(1, user.accountIds.length)],
    amount: `-${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`,
    description: MERCHANT_DESCRIPTIONS[iteration % MERCHANT_DESCRIPTIONS.length],
    occurred_at: new Date(now).toISOString(),
  });
}

/**
 * The request for one iteration of one VU. `uniqueId` makes the write's idempotency key unique
 * per request (a VU id and iteration are enough).
 */
export function requestFor(kind: RequestKind, user: LoadUser, iteration: number, uniqueId: string, now: number): LoadRequest {
  const auth = { authorization: `Bearer ${user.token}` };
  switch (kind) {
    case "listTransactions":
      return { kind, method: "GET", path: listTransactionsPath(user, iteration, now), headers: auth };
    case "listAccounts":
      return { kind, method: "GET", path: "/api/accounts", headers: auth };
    case "createTransaction":
      return {
        kind,
        method: "POST",
        path: "/api/transactions",
        headers: { ...auth, "content-type": "application/json", "idempotency-key": `load-${uniqueId}` },
        body: createTransactionBody(user, iteration, now),
      };
  }
}

/** What a load user registers (mixed VUs, async publishers): a user, one account, then a token. */
export function registrationFor(runId: string, index: number) {
  return {
    register: { email: `load-${runId}-${index}@example.com`, password: `load-password-${runId}`, name: `Load User ${index}` },
    account: { name: "Everyday", currency: "EUR" },
  };
}
