import type { TaskQueue } from "../../domain/ports";
import type { TaskRequest } from "../../domain/tasks";

/**
 * Runs a task right away in this process. The worker uses it for the follow-up work it would
 * otherwise enqueue for itself (a budget notification after categorising): it is the executor
 * already, and the handlers are idempotent, so a retry of the parent task is safe.
 */
export class InProcessTaskQueue implements TaskQueue {
  constructor(private readonly run: (task: TaskRequest) => Promise<unknown>) {}

  async enqueue(task: TaskRequest): Promise<void> {
    await this.run(task);
  }
}
