/**
 * The local TaskQueue: BullMQ queues in Redis named like the cloud queues
 * (`taskQueueName(prefix, type, shard)`), one job per task with the task name as job id, so a
 * repeated enqueue is ignored like Cloud Tasks' ALREADY_EXISTS. The dispatcher role pushes them
 * to the worker.
 */
import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { shardFor, taskQueueName, type TaskQueuePolicies, type TaskType } from "../../../contract";
import type { TaskQueue } from "../../domain/ports";
import type { TaskRequest } from "../../domain/tasks";
import { taskNameFor } from "./task-names";

/** What a job carries; `delivery` is bookkeeping the dispatcher keeps across attempts. */
export interface LocalTaskData {
  readonly type: TaskType;
  readonly name: string;
  readonly payload: unknown;
  readonly delivery?: {
    readonly firstAttemptAt: number;
    readonly executions: number;
    readonly previousResponse?: string;
    readonly retryReason?: string;
    readonly eta: number;
  };
}

/** Cloud Tasks keeps a completed task's name reserved for about an hour. */
const DEDUPE_WINDOW_SECONDS = 3600;

export const LOCAL_JOB_OPTIONS: JobsOptions = {
  // The dispatcher decides when to stop (Cloud Tasks rules, see retry-policy.ts); BullMQ must not.
  attempts: Number.MAX_SAFE_INTEGER,
  backoff: { type: "cloud-tasks" },
  removeOnComplete: { age: DEDUPE_WINDOW_SECONDS },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export class BullTaskQueue implements TaskQueue {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly settings: {
      readonly connection: Redis;
      /** BullMQ key prefix (under REDIS_KEY_PREFIX). */
      readonly prefix: string;
      /** Queue name prefix, as the stacks name the cloud queues. */
      readonly queuePrefix: string;
      readonly policies: TaskQueuePolicies;
    },
  ) {}

  queueNameFor(task: Pick<TaskRequest, "type" | "idempotencyKey">): { queueName: string; taskName: string } {
    const taskName = taskNameFor(task);
    const shard = shardFor(taskName, this.settings.policies[task.type].shards);
    return { queueName: taskQueueName(this.settings.queuePrefix, task.type, shard), taskName };
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.settings.connection, prefix: this.settings.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue(task: TaskRequest): Promise<void> {
    await this.enqueueMany([task]);
  }

  /** Many tasks at once (bulk loads, benchmarks): one round trip per queue. */
  async enqueueMany(tasks: readonly TaskRequest[]): Promise<void> {
    const byQueue = new Map<string, Array<{ name: string; data: LocalTaskData; opts: JobsOptions }>>();
    for (const task of tasks) {
      const { queueName, taskName } = this.queueNameFor(task);
      const jobs = byQueue.get(queueName) ?? [];
      jobs.push({ name: task.type, data: { type: task.type, name: taskName, payload: task.payload }, opts: { ...LOCAL_JOB_OPTIONS, jobId: taskName } });
      byQueue.set(queueName, jobs);
    }
    await Promise.all([...byQueue].map(([queueName, jobs]) => (jobs.length === 1 ? this.queue(queueName).add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts) : this.queue(queueName).addBulk(jobs))));
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
