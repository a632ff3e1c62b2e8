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
import { traceFields } from "../logging";
import { parseInput } from "./validation";

/** Cloud Tasks caps a task at 1 MB. */
const MAX_TASK_BYTES = 1024 * 1024;

const id = z.uuid("must be a UUID");
const TASK_SCHEMAS = {
  categorise: z.strictObject({ user_id: id, transaction_id: id }),
  import: z.strictObject({ user_id: id, import_id: id }),
  notify: z.strictObject({
    user_id: id,
    key: z.string().min(1).max(200),
    kind: z.string().min(1).max(64),
    data: z.record(z.string(), z.unknown()),
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
      return reply.status(404).send({ error: { code: "unknown_task_type", message: `no task type ${type}; expected one of ${TASK_TYPES.join(", ")}` } });
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
