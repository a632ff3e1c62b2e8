/**
 * Waiting out a database that refuses us for a while, as on a first deploy: the migration job
 * starts seconds after Terraform granted its identity `cloudsql.client` and created its login,
 * and IAM changes "typically" take effect in 2 minutes, "potentially 7 minutes or longer"
 * (https://cloud.google.com/iam/docs/access-change-propagation). Until then the Cloud SQL
 * connector's SQL Admin calls answer 403 and logins may be refused. Such refusals are retried with
 * exponential backoff for a bounded time (p-retry); anything else (a failing migration, a bad
 * setting) fails at once.
 */
import pRetry from "p-retry";
import type { Logger } from "../logging";

export interface ConnectRetry {
  /** Give up after this long, and fail with the last refusal. */
  readonly maxRetryMs: number;
  /** First wait; doubles each attempt up to maxDelayMs. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

/** Longer than IAM's "7 minutes or longer", shorter than the job's task timeout (constructs/migration-job.ts). */
export const MIGRATE_CONNECT_RETRY: ConnectRetry = { maxRetryMs: 10 * 60_000, minDelayMs: 1_000, maxDelayMs: 30_000 };

/** SQLSTATE classes and codes that mean "not let in (yet)", not "what you asked failed". */
const REFUSAL_SQLSTATES = [
  /^28/, // invalid authorization: bad password, role may not log in (yet)
  /^08/, // connection exception
  /^57P03$/, // cannot connect now (starting up, failing over)
  /^53300$/, // too many connections
];
const REFUSAL_SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND", "EPIPE"]);
/** pg's own wording when the socket goes away before a session exists. */
const REFUSAL_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i];
/** HTTP statuses from the Cloud SQL Admin API (the connector): not yet authorised, throttled, unavailable. */
const REFUSAL_STATUSES = new Set([401, 403, 429, 500, 502, 503, 504]);

export function isConnectionRefusal(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, status, response } = error as Error & { code?: unknown; status?: unknown; response?: { status?: unknown } };
  if (typeof code === "string" && (REFUSAL_SOCKET_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && REFUSAL_SQLSTATES.some((p) => p.test(code))))) return true;
  const httpStatus = typeof status === "number" ? status : response?.status;
  if (typeof httpStatus === "number" && REFUSAL_STATUSES.has(httpStatus)) return true;
  return REFUSAL_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** Runs `connect` until it succeeds, retrying refusals only, within `retry.maxRetryMs`. */
export function untilConnected<T>(connect: () => Promise<T>, retry: ConnectRetry, logger: Logger): Promise<T> {
  return pRetry(connect, {
    retries: Number.POSITIVE_INFINITY,
    maxRetryTime: retry.maxRetryMs,
    minTimeout: retry.minDelayMs,
    maxTimeout: retry.maxDelayMs,
    factor: 2,
    shouldRetry: ({ error }) => isConnectionRefusal(error),
    onFailedAttempt: ({ error, attemptNumber }) => {
      if (isConnectionRefusal(error)) logger.warn({ attempt: attemptNumber, error: error.message }, "database refused the connection; retrying (IAM grants can take minutes to apply)");
    },
  });
}
