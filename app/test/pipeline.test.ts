/**
 * The whole local system at once: api -> BullMQ queues -> dispatcher -> worker (real HTTP) ->
 * PostgreSQL, with events reaching a WebSocket client through Redis and the realtime role.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
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
