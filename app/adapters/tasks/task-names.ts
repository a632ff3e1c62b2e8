import { createHash } from "node:crypto";
import type { TaskRequest } from "../../domain/tasks";

/**
 * The explicit task name both backends de-duplicate on: a hash of the work's idempotency key
 * (Cloud Tasks advises against sequential names; hashes spread over its key space), suffixed with
 * the type so humans can read queue listings.
 */
export function taskNameFor(task: Pick<TaskRequest, "type" | "idempotencyKey">): string {
  return `${createHash("sha256").update(task.idempotencyKey).digest("hex").slice(0, 40)}-${task.type}`;
}
