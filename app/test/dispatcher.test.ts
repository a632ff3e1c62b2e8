/**
 * The local push dispatcher against a real HTTP target over real Redis queues: Cloud Tasks
 * headers, retries with Cloud Tasks backoff and stop rules, dispatch deadlines, de-duplication by
 * task name, concurrency and rate limits, all read from the shared queue policy.
 */
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TASK_QUEUES, LOCAL_TASK_PUSH_IDENTITY, TASK_TYPES, type TaskQueuePolicies, type TaskQueuePolicy } from "../../environments/task-queues";
import { redisKeys } from "../adapters/redis/keys";
import { BullTaskQueue } from "../adapters/tasks/local-queue";
import { checkForwardedToken, SIGNATURE_REMOVED } from "../adapters/tasks/oidc";
import { retryDelaySeconds } from "../adapters/tasks/retry-policy";
import type { DispatcherInstance } from "../entrypoints/dispatcher";
import { localTaskPolicies } from "../entrypoints/services";
import type { TaskRequest } from "../domain/tasks";
import { isolate, type Isolated } from "./support/isolation";
import { PushTarget as Target } from "./support/push-target";
import { eventually, startDispatcher } from "./support/roles";

const fastPolicy = (overrides: Partial<TaskQueuePolicy> = {}): TaskQueuePolicy => ({
  shards: 1,
  maxDispatchesPerSecond: 100,
  maxConcurrentDispatches: 10,
  retry: { maxAttempts: 3, minBackoffSeconds: 0.2, maxBackoffSeconds: 1, maxDoublings: 2, maxRetryDurationSeconds: 0 },
  dispatchDeadlineSeconds: 5,
  loggingSamplingRatio: 1,
  ...overrides,
});
const policiesWith = (notify: TaskQueuePolicy): TaskQueuePolicies => ({ ...DEFAULT_TASK_QUEUES, notify });

let isolated: Isolated;
let target: Target;
let dispatcher: DispatcherInstance | undefined;
let queue: BullTaskQueue | undefined;

beforeAll(async () => {
  isolated = await isolate("dispatcher");
});

afterEach(async () => {
  await dispatcher?.close();
  await queue?.close();
  await target?.stop();
  dispatcher = undefined;
  queue = undefined;
});

afterAll(async () => {
  await isolated?.cleanup();
});

let taskCounter = 0;
const notifyTask = (): TaskRequest => {
  taskCounter++;
  return { type: "notify", idempotencyKey: `notify:test:${taskCounter}`, payload: { user_id: "u", key: `k${taskCounter}`, kind: "test", data: { n: taskCounter } } };
};

let setUps = 0;

/** Fresh queues per test (a new prefix), a target, a dispatcher with `policies`, and an enqueuer. */
async function setUp(policies: TaskQueuePolicies) {
  target = new Target();
  const url = await target.start();
  const queuePrefix = `${isolated.queuePrefix}-${++setUps}`;
  const env = { TASKS_QUEUE_PREFIX: queuePrefix };
  const config = isolated.config("dispatcher", { ...env, WORKER_URL: url });
  queue = new BullTaskQueue({ connection: isolated.redis, prefix: redisKeys(config.redis.keyPrefix).queues, queuePrefix, policies });
  dispatcher = await startDispatcher({ ...isolated, config: (role, overrides) => isolated.config(role, { ...env, ...overrides }) }, url, policies);
  return { queuePrefix };
}

describe("local dispatcher", () => {
  it("serves every queue shard with the limits of the shared policy", async () => {
    await setUp(localTaskPolicies());
    const served = dispatcher!.dispatcher.queues;
    const policies = localTaskPolicies();
    expect(served).toHaveLength(TASK_TYPES.reduce((n, type) => n + policies[type].shards, 0));
    for (const entry of served) {
      const policy = policies[entry.type];
      expect(entry).toMatchObject({ concurrency: policy.maxConcurrentDispatches, dispatchesPerSecond: policy.maxDispatchesPerSecond, policy });
    }
    expect(served.filter((q) => q.type === "categorise").map((q) => q.queueName)).toEqual(
      [0, 1, 2, 3].map((shard) => `${isolated.queuePrefix}-${setUps}-categorise-${shard}`),
    );
  });

  it("pushes with Cloud Tasks headers and retries failures with Cloud Tasks backoff until success", async () => {
    const policy = fastPolicy();
    await setUp(policiesWith(policy));
    target.respond = (_attempt, index) => [503, 400, 200][index] ?? 200;
    const task = notifyTask();
    const before = Date.now();
    await queue!.enqueue(task);
    await eventually(async () => target.received.length === 3 && target.inFlight === 0, 15_000, "three attempts");

    const { queueName, taskName } = queue!.queueNameFor(task);
    const attempts = target.received;
    expect(attempts.map((a) => a.path)).toEqual(["/tasks/notify", "/tasks/notify", "/tasks/notify"]);
    expect(JSON.parse(attempts[0]!.body)).toEqual(task.payload);
    for (const attempt of attempts) {
      expect(attempt.headers).toMatchObject({ "x-cloudtasks-queuename": queueName, "x-cloudtasks-taskname": taskName, "content-type": "application/json" });
    }
    expect(attempts.map((a) => a.headers["x-cloudtasks-taskretrycount"])).toEqual(["0", "1", "2"]);
    expect(attempts.map((a) => a.headers["x-cloudtasks-taskexecutioncount"])).toEqual(["0", "1", "2"]);
    expect(attempts.map((a) => a.headers["x-cloudtasks-taskpreviousresponse"])).toEqual([undefined, "503", "400"]);

    // Each retry is scheduled (ETA) a backoff after the failure, and not delivered before its ETA.
    const etas = attempts.map((a) => Number(a.headers["x-cloudtasks-tasketa"]) * 1000);
    expect(etas[0]).toBeGreaterThanOrEqual(before - 1000);
    for (const retry of [1, 2]) {
      expect(etas[retry]! - attempts[retry - 1]!.at).toBeGreaterThanOrEqual(retryDelaySeconds(policy.retry, retry) * 1000);
      expect(attempts[retry]!.at).toBeGreaterThanOrEqual(Math.floor(etas[retry]!));
    }
    expect(retryDelaySeconds(policy.retry, 2)).toBeGreaterThan(retryDelaySeconds(policy.retry, 1));
  });

  it("pushes the token Cloud Run would hand the worker: the local push identity's claims, signature stripped", async () => {
    await setUp(policiesWith(fastPolicy()));
    await queue!.enqueue(notifyTask());
    await eventually(async () => target.received.length === 1, 10_000, "the push");
    const authorization = target.received[0]!.headers.authorization ?? "";
    expect(authorization).toMatch(new RegExp(`^Bearer [\\w-]+\\.[\\w-]+\\.${SIGNATURE_REMOVED}$`));
    expect(checkForwardedToken({ authorization }, LOCAL_TASK_PUSH_IDENTITY)).toBeUndefined();
    const claims = JSON.parse(Buffer.from(authorization.split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({ iss: "https://accounts.google.com", aud: LOCAL_TASK_PUSH_IDENTITY.audience, email: LOCAL_TASK_PUSH_IDENTITY.serviceAccount, email_verified: true });
  });

  it("stops after maxAttempts and leaves the task failed", async () => {
    await setUp(policiesWith(fastPolicy()));
    target.respond = () => 500;
    const task = notifyTask();
    await queue!.enqueue(task);
    const { queueName, taskName } = queue!.queueNameFor(task);
    const bull = new Queue(queueName, { connection: isolated.redis, prefix: redisKeys(isolated.redisPrefix).queues });
    try {
      const state = await eventually(async () => ((await bull.getJobState(taskName)) === "failed" ? "failed" : undefined), 15_000, "the task to fail");
      expect(state).toBe("failed");
      expect(target.received.map((a) => a.headers["x-cloudtasks-taskretrycount"])).toEqual(["0", "1", "2"]);
      expect((await bull.getJob(taskName))?.failedReason).toMatch(/gave up after 3 attempts: HTTP 500/);
    } finally {
      await bull.close();
    }
  });

  it("counts an attempt without an answer within the dispatch deadline as failed and retries it", async () => {
    await setUp(policiesWith(fastPolicy({ dispatchDeadlineSeconds: 0.3 })));
    target.respond = (_attempt, index) => (index === 0 ? "hang" : 200);
    await queue!.enqueue(notifyTask());
    await eventually(async () => target.received.length === 2 && target.received[1] !== undefined, 15_000, "the retry");
    expect(target.received[1]!.headers).toMatchObject({
      "x-cloudtasks-taskretrycount": "1",
      // No response came back, so the task has not been executed yet in Cloud Tasks' terms.
      "x-cloudtasks-taskexecutioncount": "0",
      "x-cloudtasks-taskretryreason": "DEADLINE_EXCEEDED_OR_UNREACHABLE",
    });
  });

  it("delivers a task enqueued twice (same name) once", async () => {
    await setUp(policiesWith(fastPolicy()));
    const task = notifyTask();
    await queue!.enqueue(task);
    await queue!.enqueue(task);
    await queue!.enqueueMany([task, task]);
    const second = notifyTask();
    await queue!.enqueue(second);
    await eventually(async () => target.received.length >= 2, 10_000, "both tasks");
    // The last task was enqueued after the duplicates; once it arrived, a duplicate would have too.
    await eventually(async () => target.inFlight === 0, 5_000, "idle target");
    expect(target.received.map((a) => JSON.parse(a.body).key).sort()).toEqual([task.payload, second.payload].map((p) => (p as { key: string }).key).sort());
  });

  it("never has more than maxConcurrentDispatches in flight", async () => {
    await setUp(policiesWith(fastPolicy({ maxConcurrentDispatches: 3 })));
    const release: Array<() => void> = [];
    target.respond = () => new Promise<number>((resolve) => release.push(() => resolve(200)));
    await queue!.enqueueMany(Array.from({ length: 9 }, () => notifyTask()));
    for (let released = 0; released < 9; ) {
      // Let every delivery the dispatcher is willing to start arrive, then answer them all.
      const window = Math.min(3, 9 - released);
      await eventually(async () => target.inFlight === window && release.length === window, 10_000, "a full window");
      const batch = release.splice(0);
      released += batch.length;
      batch.forEach((resolve) => resolve());
    }
    expect(target.received).toHaveLength(9);
    expect(target.maxInFlight).toBe(3);
  });

  it("spreads deliveries over time according to maxDispatchesPerSecond", async () => {
    await setUp(policiesWith(fastPolicy({ maxDispatchesPerSecond: 4 })));
    await queue!.enqueueMany(Array.from({ length: 8 }, () => notifyTask()));
    await eventually(async () => target.received.length === 8, 15_000, "all deliveries");
    // 8 tasks at 4 per second cannot all go out within the first second (a lower bound only).
    const times = target.received.map((a) => a.at);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(900);
  });
});
