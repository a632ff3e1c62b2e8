/**
 * The mutation fuzzer (support/mutation-fuzzer.ts) against the real api and the worker's /tasks
 * routes over TCP, on the real PostgreSQL and Redis: 3,200 requests from a fixed seed, each a
 * valid request bent one way. No answer may be a 5xx, every refusal must be the app's JSON error
 * shape without a stack trace, and every request must get an answer.
 *
 * Reproduce or explore: FUZZ_SEED=<n> npx vitest run app/test/mutation-fuzz.test.ts (a failure
 * prints each failing case's index, mutation and bytes).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiInstance } from "../entrypoints/api";
import type { WorkerInstance } from "../entrypoints/worker";
import { ApiClient } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { fuzzCases, type FuzzCase, type FuzzContext } from "./support/mutation-fuzzer";
import { sendRaw, type RawOutcome } from "./support/raw-http";
import { startApi, startWorker } from "./support/roles";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
if (!Number.isSafeInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer; got ${process.env.FUZZ_SEED}`);
const CASES = 3_200;
const CONCURRENCY = 8;

let isolated: Isolated;
let api: ApiInstance;
let worker: WorkerInstance & { url: string };
const ports = { api: 0, worker: 0 };
let context: FuzzContext;

beforeAll(async () => {
  isolated = await isolate("fuzz");
  api = await startApi(isolated);
  worker = await startWorker(isolated);
  ports.api = Number(new URL(await api.server.app.listen({ host: "127.0.0.1", port: 0 })).port);
  ports.worker = Number(new URL(worker.url).port);
  const client = new ApiClient(api.server.app);
  const tenant = await client.tenant("Fuzz");
  const categoryId = (await client.get("/api/categories", tenant.token)).json().data[0].id;
  const transactionId = (await client.createTransaction(tenant)).json().id;
  const upload = await client.request({
    method: "POST",
    url: `/api/imports?account_id=${tenant.accountId}`,
    token: tenant.token,
    headers: { "content-type": "text/csv" },
    payload: "date,description,amount\n2025-01-31,Seed,-1.00\n",
  });
  context = { token: tenant.token, userId: tenant.userId, accountId: tenant.accountId, categoryId, transactionId, importId: upload.json().id };
});

afterAll(async () => {
  await worker?.close();
  await api?.close();
  await isolated?.cleanup();
});

/** What is wrong with an outcome, if anything. */
function problem(fuzzCase: FuzzCase, outcome: RawOutcome): string | undefined {
  if (outcome.kind === "timeout") return "no answer within 10 s";
  if (outcome.kind === "closed") return `connection closed without an answer${outcome.error ? ` (${outcome.error})` : ""}`;
  const { status, headers, body } = outcome.response;
  if (!(status >= 200 && status < 600)) return `unreadable status line`;
  if (status >= 500) return `answered ${status}`;
  if (/at .*\.(ts|js):\d+/.test(body)) return "stack trace in the body";
  if (status < 400 || fuzzCase.bytes.subarray(0, 5).toString("latin1") === "HEAD ") return undefined;
  if (!/^application\/json/.test(headers["content-type"] ?? "")) return `${status} with content-type ${headers["content-type"]}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `${status} with a body that is not JSON`;
  }
  const error = (parsed as { error?: Record<string, unknown> }).error;
  const shaped =
    Object.keys(parsed as object).length === 1 &&
    typeof error?.code === "string" &&
    typeof error.message === "string" &&
    Object.keys(error).every((key) => ["code", "message", "fields"].includes(key)) &&
    (error.fields === undefined || (typeof error.fields === "object" && Object.values(error.fields as object).every((v) => typeof v === "string")));
  return shaped ? undefined : `${status} not in the app's error shape`;
}

const describeOutcome = (outcome: RawOutcome) =>
  outcome.kind === "response" ? `${outcome.response.status} ${outcome.response.body.slice(0, 200)}` : `${outcome.kind}: ${JSON.stringify(outcome.partial.slice(0, 200))}`;

it(`answers ${CASES} mutated requests to the api and the worker without a 5xx, each refusal in the app's shape`, async () => {
  const cases = fuzzCases(context, SEED, CASES);
  const outcomes: RawOutcome[] = new Array(cases.length);
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < cases.length; i = next++) {
        const fuzzCase = cases[i]!;
        outcomes[i] = await sendRaw(ports[fuzzCase.target], fuzzCase.bytes, { timeoutMs: 10_000, end: fuzzCase.incomplete });
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;

  const byStatus = new Map<string, number>();
  const byMutation = new Map<string, number>();
  const failures: string[] = [];
  cases.forEach((fuzzCase, i) => {
    const outcome = outcomes[i]!;
    const status = outcome.kind === "response" ? `${outcome.response.status}` : outcome.kind;
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    byMutation.set(fuzzCase.mutation, (byMutation.get(fuzzCase.mutation) ?? 0) + 1);
    const wrong = problem(fuzzCase, outcome);
    if (wrong) {
      failures.push(
        `#${fuzzCase.index} ${fuzzCase.target} ${fuzzCase.route} [${fuzzCase.mutation}]: ${wrong}\n` +
          `  sent ${JSON.stringify(fuzzCase.bytes.subarray(0, 400).toString("latin1"))}${fuzzCase.bytes.length > 400 ? ` (+${fuzzCase.bytes.length - 400} bytes)` : ""}\n` +
          `  got  ${describeOutcome(outcome)}`,
      );
    }
  });
  const toApi = cases.filter((c) => c.target === "api").length;
  console.log(
    `mutation fuzzer (seed ${SEED}): ${cases.length} requests (${toApi} api, ${cases.length - toApi} worker) in ${seconds.toFixed(1)} s, ` +
      `${byMutation.size} mutations; answers: ${[...byStatus].sort().map(([s, n]) => `${s} x${n}`).join(", ")}; ${failures.length} failures`,
  );

  expect(cases.length).toBeGreaterThanOrEqual(3_000);
  expect(cases.length - toApi).toBeGreaterThanOrEqual(300);
  expect(failures.slice(0, 20), `${failures.length} of ${cases.length} failed (seed ${SEED}):\n${failures.slice(0, 20).join("\n")}`).toEqual([]);
  // Still healthy afterwards.
  expect((await sendRaw(ports.api, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")).kind).toBe("response");
}, 120_000);
