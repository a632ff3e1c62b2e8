import type { TaskType } from "../../contract";

export type { TaskType };

/** Payloads of the worker's task types, as sent over the wire (JSON). */
export interface CategoriseTask {
  readonly user_id: string;
  readonly transaction_id: string;
}
export interface ImportTask {
  readonly user_id: string;
  readonly import_id: string;
}
export interface NotifyTask {
  readonly user_id: string;
  /** Natural key: one notification per key and tenant, however often the task is delivered. */
  readonly key: string;
  readonly kind: string;
  readonly data: Readonly<Record<string, unknown>>;
}
export interface TaskPayloads {
  readonly categorise: CategoriseTask;
  readonly import: ImportTask;
  readonly notify: NotifyTask;
}

/** A unit of background work. `idempotencyKey` names the work: enqueuing it twice is a no-op. */
export type TaskRequest = {
  [T in TaskType]: { readonly type: T; readonly idempotencyKey: string; readonly payload: TaskPayloads[T] };
}[TaskType];

export const categoriseTask = (userId: string, transactionId: string): TaskRequest => ({
  type: "categorise",
  idempotencyKey: `categorise:${transactionId}`,
  payload: { user_id: userId, transaction_id: transactionId },
});

export const importTask = (userId: string, importId: string): TaskRequest => ({
  type: "import",
  idempotencyKey: `import:${importId}`,
  payload: { user_id: userId, import_id: importId },
});
