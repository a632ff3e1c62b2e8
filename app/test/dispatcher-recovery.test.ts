/**
 * The local Cloud Tasks stand-in when its parts die: no queued task is lost when Redis restarts
 * (the throwaway Redis of local runs writes an append-only file, and the dispatcher warns when the
 * Redis it uses does not), and tasks a killed dispatcher held are pushed again within 10 s of its
 * restart, however often it dies. Dispatchers run as real processes (SIGKILL), Redis as a
 * throwaway server this file stops and starts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, throwawayRedis } from "../../loadtests/local/data-services";
import { redisKeys } from "../adapters/redis/keys";
import { BullTaskQueue } from "../adapters/tasks/local-queue";
import { queueDurabilityProblem } from "../adapters/tasks/queue-durability";
import type { TaskRequest } from "../domain/tasks";
import { localTaskPolicies } from "../entrypoints/services";
import { isolate, type Isolated } from "./support/isolation";
import { PushTarget } from "./support/push-target";
import { eventually, startDispatcher } from "./support/roles";

let isolated: Isolated;
let dir: string;

beforeAll(async () => {
  isolated = await isolate("dispatchrecovery");
  dir = await mkdtemp(join(tmpdir(), "valorize-dispatcher-recovery-"));
});

afterAll(async () => {
  await isolated?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const notifyTasks = (label: string, count: number): TaskRequest[] =>
  Array.from({ length: count }, (_, i) => ({
    type: "notify",
    idempotencyKey: `notify:${label}:${i}`,
    payload: { user_id: "00000000-0000-4000-8000-000000000000", key: `${label}-${i}`, kind: "test", data: { i } },
  }));


describe("when Redis restarts", () => {
  it("keeps every queued task: the throwaway Redis of local runs writes an append-only file", async () => {
    const serverDir = join(dir, "durable");
    await mkdir(serverDir);
    const server = await throwawayRedis({ dir: serverDir });
    const connection = new Redis(server.url);
    connection.on("error", () => undefined);
    const target = new PushTarget();
    const answered = new Set<string>();
    target.respond = (attempt) => (answered.add(String(attempt.headers["x-cloudtasks-taskname"])), 200);
    const url = await target.start();
    const queuePrefix = `${isolated.queuePrefix}-aof`;
    const queue = new BullTaskQueue({ connection, prefix: redisKeys(isolated.redisPrefix).queues, queuePrefix, policies: localTaskPolicies() });
    let dispatcher: Awaited<ReturnType<typeof startDispatcher>> | undefined;
    try {
      expect(await queueDurabilityProblem(connection)).toBeUndefined();
      await queue.enqueueMany(notifyTasks("aof", 300));
      await server.stop("SIGKILL"); // a crash, not even a clean shutdown
      await server.start();
      dispatcher = await startDispatcher(
        { ...isolated, config: (role, overrides) => isolated.config(role, { REDIS_URL: server.url, TASKS_QUEUE_PREFIX: queuePrefix, ...overrides }) },
        url,
      );
      await eventually(async () => answered.size === 300, 20_000, "every task queued before the restart to be delivered");
    } finally {
      await dispatcher?.close();
      await queue.close();
      connection.disconnect();
      await target.stop();
      await server.stop();
    }
  });

  it("the dispatcher names the setting when the queues' Redis keeps no append-only file", async () => {
    const serverDir = join(dir, "volatile");
    await mkdir(serverDir);
    const server = await throwawayRedis({ dir: serverDir, durable: false });
    const connection = new Redis(server.url);
    try {
      expect(await queueDurabilityProblem(connection)).toMatch(/no append-only file .* --appendonly yes --appendfsync everysec/);
    } finally {
      connection.disconnect();
      await server.stop();
    }
  });
});

describe("when the dispatcher is killed", () => {
  /** A dispatcher process, as the experiment runs it; resolves once it answers /readyz. */
  async function dispatcherProcess(env: Record<string, string>): Promise<ChildProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "main.ts"), "dispatcher"], {
      env: { ...process.env, ...isolated.env, ...env, PORT: String(port) },
      stdio: "ignore",
    });
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`dispatcher exited with ${child.exitCode}`);
        return fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      },
      30_000,
      "the dispatcher to be ready",
    );
    return child;
  }

  async function kill(child: ChildProcess): Promise<void> {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  it("pushes the tasks it held again within 10 s of its restart, however often it dies", { timeout: 120_000 }, async () => {
    const target = new PushTarget();
    let hold = true;
    const received = new Set<string>();
    const answered = new Set<string>();
    target.respond = (attempt) => {
      const name = String(attempt.headers["x-cloudtasks-taskname"]);
      received.add(name);
      if (hold) return "hang"; // the worker takes its time: the dispatcher holds the task
      answered.add(name);
      return 200;
    };
    const url = await target.start();
    const queuePrefix = `${isolated.queuePrefix}-kill`;
    const env = { TASKS_QUEUE_PREFIX: queuePrefix, WORKER_URL: url, LOG_LEVEL: "silent" };
    const queue = new BullTaskQueue({ connection: isolated.redis, prefix: redisKeys(isolated.redisPrefix).queues, queuePrefix, policies: localTaskPolicies() });
    const tasks = notifyTasks("held", 20);
    const running: ChildProcess[] = [];
    const figures: string[] = [];
    try {
      await queue.enqueueMany(tasks);
      running.push(await dispatcherProcess(env));
      await eventually(async () => received.size === tasks.length, 15_000, "the first dispatcher to hold every task");
      await kill(running.pop()!);

      // A second dispatcher takes them over and dies holding them too (a second stall of each job).
      received.clear();
      running.push(await dispatcherProcess(env));
      let back = performance.now();
      await eventually(async () => received.size === tasks.length, 10_000, "the held tasks to be pushed again after a restart");
      figures.push(`${((performance.now() - back) / 1000).toFixed(1)} s`);
      await kill(running.pop()!);

      hold = false;
      running.push(await dispatcherProcess(env));
      back = performance.now();
      await eventually(async () => answered.size === tasks.length, 10_000, "every held task to be delivered after the second restart");
      figures.push(`${((performance.now() - back) / 1000).toFixed(1)} s`);
      console.log(`[dispatcher-recovery] held tasks pushed again ${figures.join(" and ")} after a restart`);

      for (const task of tasks) {
        const { queueName, taskName } = queue.queueNameFor(task);
        const bull = new Queue(queueName, { connection: isolated.redis, prefix: redisKeys(isolated.redisPrefix).queues });
        try {
          expect(await eventually(async () => ((await bull.getJobState(taskName)) === "completed" ? "completed" : undefined), 5_000, "completion")).toBe("completed");
        } finally {
          await bull.close();
        }
      }
    } finally {
      for (const child of running) await kill(child);
      await queue.close();
      await target.stop();
    }
  });
});
