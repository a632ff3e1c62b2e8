/**
 * The worker's push endpoints, `POST /tasks/<type>`, called by Cloud Tasks or the local
 * dispatcher. Status codes drive retries: 2xx done; 4xx a permanently bad task (malformed payload,
 * unknown entity: retrying will not help); 5xx a transient failure, retried with backoff.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { TASK_TYPES, type TaskType } from "../../../environments/task-queues";
import { DomainError } from "../../domain/errors";
import type { TaskPayloads } from "../../domain/tasks";
import { storableTextProblem } from "../../domain/text";
import { traceFields } from "../logging";
import { errorBody } from "./errors";
import { parseInput, storableText } from "./validation";

/** Cloud Tasks caps a task at 1 MB. */
const MAX_TASK_BYTES = 1024 * 1024;

const id = z.uuid("must be a UUID");

/** Notification data is stored as jsonb: a bounded depth, and strings (keys too) jsonb can hold. */
const MAX_DATA_DEPTH = 16;
function jsonbProblem(value: unknown, depth: number): { path: PropertyKey[]; message: string } | undefined {
  if (typeof value === "string") {
    const message = storableTextProblem(value);
    return message ? { path: [], message } : undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  if (depth > MAX_DATA_DEPTH) return { path: [], message: `must be nested at most ${MAX_DATA_DEPTH} levels deep` };
  for (const [key, child] of Object.entries(value)) {
    const keyProblem = storableTextProblem(key);
    if (keyProblem) return { path: [key], message: `key ${keyProblem}` };
    const problem = jsonbProblem(child, depth + 1);
    if (problem) return { path: [Array.isArray(value) ? Number(key) : key, ...problem.path], message: problem.message };
  }
  return undefined;
}
const notificationData = z.record(z.string(), z.unknown()).superRefine((data, ctx) => {
  const problem = jsonbProblem(data, 1);
  if (problem) ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
});

const TASK_SCHEMAS = {
  categorise: z.strictObject({ user_id: id, transaction_id: id }),
  import: z.strictObject({ user_id: id, import_id: id }),
  notify: z.strictObject({
    user_id: id,
    key: storableText(200, 1),
    kind: storableText(64, 1),
    data: notificationData,
  }),
} satisfies Record<TaskType, z.ZodType>;

export type TaskHandlers = { readonly [T in TaskType]: (payload: TaskPayloads[T]) => Promise<object> };

export interface WorkerRouteOptions {
  readonly handlers: TaskHandlers;
  /** Throws (a 401) unless the request carries an acceptable push token (see tasks/oidc.ts). */
  readonly authenticate: (headers: IncomingHttpHeaders) => void;
  readonly project?: string;
}

const isTaskType = (value: string): value is TaskType => (TASK_TYPES as readonly string[]).includes(value);

export function registerWorkerRoutes(app: FastifyInstance, options: WorkerRouteOptions): void {
  app.post<{ Params: { type: string } }>("/tasks/:type", { bodyLimit: MAX_TASK_BYTES }, async (request, reply) => {
    const { type } = request.params;
    // Nothing is answered to a caller without an acceptable push token, not even which types exist.
    try {
      options.authenticate(request.headers);
    } catch (error) {
      if (error instanceof DomainError) {
        // A refusal here is a misconfiguration or a stray caller: say why in the log (never the token).
        request.log.warn({ ...traceFields(request.headers, options.project), refusal: { code: error.code, fields: error.fields } }, "task push refused");
      }
      throw error;
    }
    if (!isTaskType(type)) {
      const expected = `must be one of ${TASK_TYPES.join(", ")}`;
      return reply.status(404).send(errorBody("unknown_task_type", `no task type ${type}; expected one of ${TASK_TYPES.join(", ")}`, { type: expected }));
    }
    const payload = parseInput(TASK_SCHEMAS[type], request.body, "task payload");
    try {
      const result = await (options.handlers[type] as (payload: unknown) => Promise<object>)(payload);
      return { status: "ok", ...result };
    } catch (error) {
      request.log.warn(
        {
          ...traceFields(request.headers, options.project),
          task: { type, name: request.headers["x-cloudtasks-taskname"], retry: request.headers["x-cloudtasks-taskretrycount"] },
          error,
        },
        "task failed",
      );
      throw error;
    }
  });
}
