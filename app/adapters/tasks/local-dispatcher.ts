/**
 * The local stand-in for Cloud Tasks push delivery: BullMQ workers take jobs from the local queues
 * and POST them to the worker with Cloud Tasks' headers, under each queue's policy from the shared
 * definition: rate (BullMQ limiter, per queue), concurrency, dispatch deadline, and retries with
 * Cloud Tasks' backoff and stop rules. Like Cloud Tasks, any non-2xx answer is retried.
 *
 * It also stands in for the Cloud Run front end the cloud's pushes pass through: each push carries
 * the OIDC token as Cloud Run hands it to the container after its IAM check (Google's claims for
 * the push identity, signature replaced by `SIGNATURE_REMOVED_BY_GOOGLE`, see oidc.ts), so the
 * local worker runs exactly the check it runs in the cloud.
 */
import http from "node:http";
import https from "node:https";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { TASK_TYPES, taskQueueName, type TaskPushIdentity, type TaskQueuePolicies, type TaskQueuePolicy, type TaskType } from "../../../environments/task-queues";
import type { Logger } from "../logging";
import type { LocalTaskData } from "./local-queue";
import { forwardedIdToken } from "./oidc";
import { retryDelaySeconds, shouldRetry } from "./retry-policy";

export interface DispatcherSettings {
  /** A connection for BullMQ's blocking commands (maxRetriesPerRequest: null). */
  readonly connection: Redis;
  readonly prefix: string;
  readonly queuePrefix: string;
  readonly policies: TaskQueuePolicies;
  /** Base URL of the worker, e.g. http://127.0.0.1:8081. */
  readonly workerUrl: string;
  /** Audience and service account of the pushes' tokens (what the worker expects). */
  readonly identity: TaskPushIdentity;
  readonly logger: Logger;
}

/**
 * How fast tasks held by a dispatcher that died go back to the queue. BullMQ locks each active job
 * and renews the lock every lockDuration / 2 while the push is in flight, however long it takes
 * (up to the queue's dispatch deadline, 60 s to 15 min), so the lock need not outlast a push. A
 * stalled-job check, run every stalledInterval by whichever dispatcher is alive (the restarted one
 * included), marks active jobs and, on its next run, puts back those whose lock is gone. BullMQ's
 * defaults (30 s lock, 30 s checks) held tasks about a minute after a kill; these put them back
 * within lock + 2 checks = 8 s of the kill, or 2 checks (4 s) of a restart, inside the 10 s
 * recovery target. The price: a dispatcher whose event loop stalls for longer than the lock may
 * see a push it is still making redelivered by another: a duplicate delivery, which Cloud Tasks
 * may make too and the worker's idempotency absorbs.
 *
 * maxStalledCount: a dispatcher dying is not the task's fault, and Cloud Tasks does not drop a
 * task because its dispatch was interrupted; BullMQ's default (1) would fail a job on its second
 * stall, which is a lost task. Attempts still follow the queue's retry policy.
 */
export const STALLED_JOB_SETTINGS = { lockDuration: 4_000, stalledInterval: 2_000, maxStalledCount: Number.MAX_SAFE_INTEGER } as const;

/** Thrown to make BullMQ retry after the delay we computed (read back in the backoff strategy). */
class RetryLater extends Error {
  constructor(
    readonly delayMs: number,
    message: string,
  ) {
    super(message);
  }
}

interface PushResult {
  readonly status?: number;
  readonly error?: string;
}

/** What the dispatcher enforces on one queue shard (all of it from the shared policy). */
export interface DispatchedQueue {
  readonly queueName: string;
  readonly type: TaskType;
  readonly concurrency: number;
  readonly dispatchesPerSecond: number;
  readonly policy: TaskQueuePolicy;
}

export class LocalDispatcher {
  private readonly workers: Worker[] = [];
  private readonly dispatched: DispatchedQueue[] = [];
  private readonly agent: http.Agent;
  private readonly target: URL;

  constructor(private readonly settings: DispatcherSettings) {
    this.target = new URL(settings.workerUrl);
    const AgentClass = this.target.protocol === "https:" ? https.Agent : http.Agent;
    const maxSockets = TASK_TYPES.reduce((sum, type) => sum + settings.policies[type].maxConcurrentDispatches * settings.policies[type].shards, 0);
    // Keep every socket the concurrency allows: the default 256 idle ones would mean reconnect churn.
    this.agent = new AgentClass({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Starts one BullMQ worker per queue shard. */
  start(): void {
    for (const type of TASK_TYPES) {
      const policy = this.settings.policies[type];
      for (let shard = 0; shard < policy.shards; shard++) {
        const queueName = taskQueueName(this.settings.queuePrefix, type, shard);
        const queue: DispatchedQueue = {
          queueName,
          type,
          concurrency: policy.maxConcurrentDispatches,
          dispatchesPerSecond: Math.max(1, Math.floor(policy.maxDispatchesPerSecond)),
          policy,
        };
        const worker = new Worker<LocalTaskData>(queueName, (job) => this.dispatch(job, queueName, type, policy), {
          connection: this.settings.connection,
          prefix: this.settings.prefix,
          concurrency: queue.concurrency,
          limiter: { max: queue.dispatchesPerSecond, duration: 1000 },
          ...STALLED_JOB_SETTINGS,
          settings: { backoffStrategy: (_attempts, _type, error) => (error instanceof RetryLater ? error.delayMs : -1) },
          // Jobs are fetched in parallel up to `concurrency`; keep BullMQ's own bookkeeping light.
          removeOnComplete: { age: 3600 },
        });
        worker.on("error", (error) => this.settings.logger.error({ error, queue: queueName }, "dispatcher queue error"));
        this.workers.push(worker);
        this.dispatched.push(queue);
      }
    }
  }

  /** The queues being served and the limits applied to each. */
  get queues(): readonly DispatchedQueue[] {
    return this.dispatched;
  }

  /** Waits until every queue is connected (for tests and readiness). */
  async waitUntilReady(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
  }

  /** Stops taking jobs and waits for in-flight pushes (their outcome is recorded as usual). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    this.agent.destroy();
  }

  private async dispatch(job: Job<LocalTaskData>, queueName: string, type: TaskType, policy: TaskQueuePolicy): Promise<void> {
    const now = Date.now();
    const delivery = job.data.delivery;
    const eta = delivery?.eta ?? job.timestamp + (job.opts.delay ?? 0);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "Google-Cloud-Tasks",
      // Minted per attempt (microseconds next to the push), so a retry hours later carries a live token.
      authorization: `Bearer ${forwardedIdToken(this.settings.identity, { nowMs: now })}`,
      "x-cloudtasks-queuename": queueName,
      "x-cloudtasks-taskname": job.data.name,
      "x-cloudtasks-taskretrycount": String(job.attemptsMade),
      "x-cloudtasks-taskexecutioncount": String(delivery?.executions ?? 0),
      "x-cloudtasks-tasketa": (eta / 1000).toFixed(6),
    };
    if (delivery?.previousResponse) headers["x-cloudtasks-taskpreviousresponse"] = delivery.previousResponse;
    if (delivery?.retryReason) headers["x-cloudtasks-taskretryreason"] = delivery.retryReason;

    const result = await this.push(`/tasks/${type}`, JSON.stringify(job.data.payload), headers, policy.dispatchDeadlineSeconds * 1000);
    if (result.status !== undefined && result.status >= 200 && result.status < 300) return;

    const attemptsMade = job.attemptsMade + 1;
    const firstAttemptAt = delivery?.firstAttemptAt ?? now;
    const reason = result.status !== undefined ? `HTTP ${result.status}` : (result.error ?? "no response");
    if (!shouldRetry(policy.retry, attemptsMade, firstAttemptAt, Date.now())) {
      this.settings.logger.warn({ queue: queueName, task: job.data.name, attempts: attemptsMade, reason }, "task dropped after its last attempt");
      throw new UnrecoverableError(`gave up after ${attemptsMade} attempts: ${reason}`);
    }
    const delayMs = Math.round(retryDelaySeconds(policy.retry, attemptsMade) * 1000);
    this.settings.logger.info({ queue: queueName, task: job.data.name, attempt: attemptsMade, reason, retryInMs: delayMs }, "task attempt failed; retrying");
    await job.updateData({
      ...job.data,
      delivery: {
        firstAttemptAt,
        executions: (delivery?.executions ?? 0) + (result.status !== undefined ? 1 : 0),
        previousResponse: result.status !== undefined ? String(result.status) : undefined,
        retryReason: result.status !== undefined ? `HTTP_${result.status}` : "DEADLINE_EXCEEDED_OR_UNREACHABLE",
        eta: Date.now() + delayMs,
      },
    });
    throw new RetryLater(delayMs, `attempt ${attemptsMade} failed: ${reason}`);
  }

  /** One POST with a deadline on the whole exchange; resolves with the status, or the error when no answer came. */
  private push(path: string, body: string, headers: Record<string, string>, deadlineMs: number): Promise<PushResult> {
    const client = this.target.protocol === "https:" ? https : http;
    return new Promise((resolve) => {
      const request = client.request(
        new URL(path, this.target),
        { method: "POST", agent: this.agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
        (response) => {
          response.resume();
          response.on("end", () => finish({ status: response.statusCode }));
          response.on("error", (error) => finish({ status: response.statusCode, error: error.message }));
        },
      );
      const deadline = setTimeout(() => request.destroy(new Error(`no response within the ${deadlineMs} ms dispatch deadline`)), deadlineMs);
      const finish = (result: PushResult) => {
        clearTimeout(deadline);
        resolve(result);
      };
      request.on("error", (error) => finish({ error: error.message }));
      request.end(body);
    });
  }
}
