/**
 * The whole local system at once: api -> BullMQ queues -> dispatcher -> worker (real HTTP) ->
 * PostgreSQL, with events reaching a WebSocket client through Redis and the realtime role.
 */
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { redisKeys } from "../adapters/redis/keys";
import { BullTaskQueue, type LocalTaskData } from "../adapters/tasks/local-queue";
import { localTaskPolicies } from "../entrypoints/services";
import type { ApiInstance } from "../entrypoints/api";
import type { DispatcherInstance } from "../entrypoints/dispatcher";
import type { RealtimeInstance } from "../entrypoints/realtime";
import type { WorkerInstance } from "../entrypoints/worker";
import { ApiClient } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { eventually, startApi, startDispatcher, startRealtime, startWorker } from "./support/roles";

let isolated: Isolated;
let api: ApiInstance;
let worker: WorkerInstance & { url: string };
let dispatcher: DispatcherInstance;
let realtime: RealtimeInstance & { url: string };
let client: ApiClient;

beforeAll(async () => {
  isolated = await isolate("pipeline");
  api = await startApi(isolated);
  worker = await startWorker(isolated);
  dispatcher = await startDispatcher(isolated, worker.url);
  realtime = await startRealtime(isolated);
  client = new ApiClient(api.server.app);
});

afterAll(async () => {
  await dispatcher?.close();
  await Promise.all([worker?.close(), realtime?.close(), api?.close()]);
  await isolated?.cleanup();
});

describe("local pipeline", () => {
  it("categorises a new transaction and imports a statement in the background, live on the WebSocket", async () => {
    const tenant = await client.tenant();
    const socket = new WebSocket(`${realtime.url}/ws`, { headers: { authorization: `Bearer ${tenant.token}` } });
    const events: Array<{ type: string } & Record<string, unknown>> = [];
    await new Promise<void>((resolve, reject) => {
      socket.on("message", (data) => {
        const event = JSON.parse(data.toString());
        if (event.type === "ready") resolve();
        else events.push(event);
      });
      socket.on("error", reject);
    });

    try {
      const created = (await client.createTransaction(tenant, { description: "Netflix subscription", amount: "-15.99" })).json();
      const categorised = await eventually(async () => events.find((e) => e.type === "transaction.categorised"), 10_000, "categorisation");
      expect(categorised).toMatchObject({ transaction_id: created.id, category_name: "Entertainment" });
      const listed = (await client.get("/api/transactions", tenant.token)).json().data;
      expect(listed[0]).toMatchObject({ id: created.id, category_id: categorised.category_id });

      const accepted = await client.request({
        method: "POST",
        url: `/api/imports?account_id=${tenant.accountId}`,
        token: tenant.token,
        headers: { "content-type": "text/csv" },
        payload: "date,description,amount\n2025-05-01,ACME payroll,3000\n2025-05-02,Aldi,-45.10\n2025-05-03,Shell,-60\n",
      });
      const importId = accepted.json().id;
      await eventually(async () => events.find((e) => e.type === "import.progress" && e.status === "completed"), 10_000, "the import");
      expect((await client.get(`/api/imports/${importId}`, tenant.token)).json()).toMatchObject({ status: "completed", imported_rows: 3 });
      expect((await client.get("/api/accounts", tenant.token)).json().data[0].balance).toBe("2878.91");
      const byDescription = Object.fromEntries(
        (await client.get("/api/transactions?from=2025-05-01&to=2025-05-31", tenant.token)).json().data.map((t: { description: string; category_id: string }) => [t.description, t.category_id]),
      );
      const names = new Map((await client.get("/api/categories", tenant.token)).json().data.map((c: { id: string; name: string }) => [c.id, c.name]));
      expect(Object.fromEntries(Object.entries(byDescription).map(([d, id]) => [d, names.get(id)]))).toEqual({
        "ACME payroll": "Salary",
        Aldi: "Groceries",
        Shell: "Transport",
      });
    } finally {
      socket.terminate();
    }
  });
});

/**
 * The dispatcher delivers what Cloud Run hands the container (the stripped token of the push
 * identity), and the worker enforces the cloud's check on it: matching identities deliver, a push
 * minted for another audience is refused 401 (and retried, as Cloud Tasks would) and never runs.
 */
describe("push authentication through the local dispatcher", () => {
  it("delivers to a worker guarding the same push identity, and never runs a push minted for another audience", async () => {
    const identity = { TASKS_OIDC_AUDIENCE: "valorize-pipeline-worker", TASKS_SERVICE_ACCOUNT: "tasks@acme-pipeline.iam.gserviceaccount.com" };
    const tenant = await client.tenant();
    const guarded = await startWorker(isolated, identity);
    const policies = localTaskPolicies();
    const lanes = [
      { prefix: `${isolated.queuePrefix}-same`, audience: identity.TASKS_OIDC_AUDIENCE },
      { prefix: `${isolated.queuePrefix}-other`, audience: "valorize-other-worker" },
    ];
    const dispatchers = await Promise.all(
      lanes.map((lane) => startDispatcher(isolated, guarded.url, policies, { ...identity, TASKS_QUEUE_PREFIX: lane.prefix, TASKS_OIDC_AUDIENCE: lane.audience })),
    );
    const queues = lanes.map((lane) => new BullTaskQueue({ connection: isolated.redis, prefix: redisKeys(isolated.redisPrefix).queues, queuePrefix: lane.prefix, policies }));
    const tasks = lanes.map((lane) => ({
      type: "notify" as const,
      idempotencyKey: `notify:${lane.prefix}`,
      payload: { user_id: tenant.userId, key: lane.prefix, kind: `push-auth-${lane.audience}`, data: {} },
    }));
    const delivered = async (lane: (typeof lanes)[number]) =>
      (await isolated.pool.query("SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND kind = $2", [tenant.userId, `push-auth-${lane.audience}`])).rows[0].n as number;
    try {
      await Promise.all(tasks.map((task, i) => queues[i]!.enqueue(task)));
      expect(await eventually(async () => (await delivered(lanes[0]!)) === 1, 10_000, "the matching push")).toBe(true);

      const { queueName, taskName } = queues[1]!.queueNameFor(tasks[1]!);
      const bull = new Queue<LocalTaskData>(queueName, { connection: isolated.redis, prefix: redisKeys(isolated.redisPrefix).queues });
      try {
        const refused = await eventually(async () => (await bull.getJob(taskName))?.data.delivery, 10_000, "the refused attempt");
        expect(refused).toMatchObject({ previousResponse: "401", retryReason: "HTTP_401" });
      } finally {
        await bull.close();
      }
      expect(await delivered(lanes[1]!)).toBe(0);
    } finally {
      await Promise.all(dispatchers.map((d) => d.close()));
      await Promise.all(queues.map((q) => q.close()));
      await guarded.close();
    }
  });
});
