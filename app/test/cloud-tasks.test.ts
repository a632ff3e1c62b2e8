/**
 * The Cloud Tasks enqueuer with the real @google-cloud/tasks client, speaking its REST transport
 * to a local stand-in for cloudtasks.googleapis.com (the real API is not reachable from here).
 * The stand-in behaves like the service for what we rely on: named tasks are unique per queue and
 * a second create answers 409 ALREADY_EXISTS.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CloudTasksClient } from "@google-cloud/tasks";
import { OAuth2Client } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TASK_QUEUES, shardFor } from "../../contract";
import { CloudTasksQueue } from "../adapters/tasks/cloud-tasks-queue";
import { taskNameFor } from "../adapters/tasks/task-names";
import { categoriseTask, importTask } from "../domain/tasks";

interface CreateTaskCall {
  readonly parent: string;
  readonly authorization?: string;
  readonly task: {
    name: string;
    dispatchDeadline: string;
    httpRequest: { url: string; httpMethod: number | string; headers: Record<string, string>; body: string; oidcToken: { serviceAccountEmail: string; audience: string } };
  };
}

const calls: CreateTaskCall[] = [];
const existing = new Set<string>();
let server: http.Server;
let client: CloudTasksClient;
let queue: CloudTasksQueue;

const categoriseShards = [0, 1, 2, 3].map((n) => `projects/acme/locations/europe-west1/queues/valorize-dev-categorise-${n}`);
const settings = {
  backend: "cloud-tasks" as const,
  queues: {
    categorise: categoriseShards,
    import: ["projects/acme/locations/europe-west1/queues/valorize-dev-import-0"],
    notify: ["projects/acme/locations/europe-west1/queues/valorize-dev-notify-0"],
  },
  workerUrl: "https://valorize-dev-worker-abc.a.run.app",
  serviceAccount: "valorize-dev-tasks@acme.iam.gserviceaccount.com",
  audience: "valorize-dev-worker",
};

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const parent = decodeURIComponent(/^\/v2\/(.+)\/tasks/.exec(request.url ?? "")?.[1] ?? "");
      const call: CreateTaskCall = { parent, authorization: request.headers.authorization, task: JSON.parse(body).task };
      calls.push(call);
      const reply = (status: number, payload: unknown) => response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
      if (parent.endsWith("/queues/valorize-dev-notify-0")) return reply(403, { error: { code: 403, message: "permission denied", status: "PERMISSION_DENIED" } });
      if (existing.has(call.task.name)) return reply(409, { error: { code: 409, message: "Requested entity already exists", status: "ALREADY_EXISTS" } });
      existing.add(call.task.name);
      reply(200, call.task);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: "test-access-token", expiry_date: Date.now() + 3_600_000 });
  client = new CloudTasksClient({
    fallback: true,
    apiEndpoint: "127.0.0.1",
    port: (server.address() as AddressInfo).port,
    protocol: "http",
    authClient: auth,
    // google-gax types authClient against its own copy of google-auth-library; same class at run time.
  } as unknown as ConstructorParameters<typeof CloudTasksClient>[0]);
  queue = new CloudTasksQueue(client, settings, DEFAULT_TASK_QUEUES);
});

afterAll(async () => {
  await client?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe("Cloud Tasks enqueuer", () => {
  it("creates a named HTTP push task with an OIDC token on the shard the task name hashes to", async () => {
    const task = categoriseTask("8d0f6a4e-5d7c-4c55-9d55-5b0cf31b9a7e", "a3c1f0c2-0f5e-4a55-8a0b-8c9d2b1e7f60");
    await queue.enqueue(task);
    const call = calls.at(-1)!;
    const name = taskNameFor(task);
    expect(name).toMatch(/^[0-9a-f]{40}-categorise$/);
    expect(call.parent).toBe(categoriseShards[shardFor(name, 4)]);
    expect(call.authorization).toBe("Bearer test-access-token");
    expect(call.task).toMatchObject({
      name: `${call.parent}/tasks/${name}`,
      dispatchDeadline: `${DEFAULT_TASK_QUEUES.categorise.dispatchDeadlineSeconds}s`,
      httpRequest: {
        url: "https://valorize-dev-worker-abc.a.run.app/tasks/categorise",
        headers: { "Content-Type": "application/json" },
        oidcToken: { serviceAccountEmail: settings.serviceAccount, audience: "valorize-dev-worker" },
      },
    });
    expect(JSON.parse(Buffer.from(call.task.httpRequest.body, "base64").toString())).toEqual(task.payload);
  });

  it("treats ALREADY_EXISTS for a repeated enqueue as success", async () => {
    const task = importTask("8d0f6a4e-5d7c-4c55-9d55-5b0cf31b9a7e", "0b8e7d52-3c6a-4e0f-9a51-1f2d3c4b5a69");
    await queue.enqueue(task);
    await expect(queue.enqueue(task)).resolves.toBeUndefined();
    const named = calls.filter((call) => call.task.name.endsWith(taskNameFor(task)));
    expect(named).toHaveLength(2);
    expect(existing.has(named[0]!.task.name)).toBe(true);
  });

  it("surfaces other failures so the request can fail and be retried", async () => {
    await expect(queue.enqueue({ type: "notify", idempotencyKey: "n-1", payload: { user_id: "u", key: "k", kind: "k", data: {} } })).rejects.toMatchObject({
      code: 403,
    });
  });

  it("spreads tasks over every shard of a type", async () => {
    const parents = new Set<string>();
    for (let i = 0; i < 40; i++) parents.add(queue.createTaskRequest(categoriseTask("u", `t-${i}`)).parent!);
    expect([...parents].sort()).toEqual([...categoriseShards].sort());
  });
});
