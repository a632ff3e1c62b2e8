/**
 * The cloud TaskQueue: an HTTP push task per unit of work on the type's queue shard, with an OIDC
 * token for the worker and an explicit hashed name, so a repeated enqueue (a retried request) is
 * refused by Cloud Tasks with ALREADY_EXISTS, which counts as success here.
 */
import type { CloudTasksClient } from "@google-cloud/tasks";
import { shardFor, type TaskQueuePolicy, type TaskType } from "../../../environments/task-queues";
import type { TasksConfig } from "../../config";
import type { TaskQueue } from "../../domain/ports";
import type { TaskRequest } from "../../domain/tasks";
import { taskNameFor } from "./task-names";

type CloudTasksSettings = Extract<TasksConfig, { backend: "cloud-tasks" }>;
type CreateTaskRequest = Parameters<CloudTasksClient["createTask"]>[0];

const GRPC_ALREADY_EXISTS = 6;
const HTTP_CONFLICT = 409;

export class CloudTasksQueue implements TaskQueue {
  constructor(
    private readonly client: Pick<CloudTasksClient, "createTask">,
    private readonly settings: CloudTasksSettings,
    /** For the dispatch deadline, a per-task setting in Cloud Tasks. */
    private readonly policies: Readonly<Record<TaskType, Pick<TaskQueuePolicy, "dispatchDeadlineSeconds">>>,
  ) {}

  createTaskRequest(task: TaskRequest): CreateTaskRequest {
    const taskName = taskNameFor(task);
    const shards = this.settings.queues[task.type];
    const parent = shards[shardFor(taskName, shards.length)]!;
    return {
      parent,
      task: {
        name: `${parent}/tasks/${taskName}`,
        dispatchDeadline: { seconds: this.policies[task.type].dispatchDeadlineSeconds },
        httpRequest: {
          httpMethod: "POST",
          url: `${this.settings.workerUrl}/tasks/${task.type}`,
          headers: { "Content-Type": "application/json" },
          body: Buffer.from(JSON.stringify(task.payload)).toString("base64"),
          oidcToken: { serviceAccountEmail: this.settings.serviceAccount, audience: this.settings.audience },
        },
      },
    };
  }

  async enqueue(task: TaskRequest): Promise<void> {
    try {
      await this.client.createTask(this.createTaskRequest(task));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === GRPC_ALREADY_EXISTS || code === HTTP_CONFLICT) return;
      throw error;
    }
  }
}
