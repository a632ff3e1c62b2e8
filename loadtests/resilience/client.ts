/**
 * An HTTP client that retries the way a real client of the api does: on a network error (a refused
 * or reset connection, a timeout), a 5xx, or a 429, after the server's `Retry-After` when it gives
 * one and otherwise an exponential backoff with jitter; never on another 4xx. A write is retried
 * with the same body and the same `Idempotency-Key`, so the server can answer the retry with the
 * first result. Every attempt is reported, so the experiment sees what the server did, not only
 * what the client ended up with.
 */
import { Pool } from "undici";

export const CLIENT_RETRY = {
  /** Attempts per request, the first included. */
  maxAttempts: 8,
  /** Backoff before the second attempt; doubles per attempt up to maxDelayMs. */
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  /** A `Retry-After` longer than this is capped (a client with a user waiting would not wait longer). */
  maxRetryAfterMs: 5_000,
  /** An attempt without an answer after this long is abandoned and retried. */
  timeoutMs: 10_000,
} as const;

export interface Attempt {
  /** The HTTP status, or null when no answer came (connection refused or reset, timeout). */
  readonly status: number | null;
  /** The network error's code when there was no answer (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET, ...). */
  readonly errorCode?: string;
  /** When it started and ended (ms, performance.now()). */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The body of a 5xx answer (checked for stack traces). */
  readonly errorBody?: string;
}

/** What a request ended with, after its retries. */
export interface Outcome {
  readonly status: number | null;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly attempts: number;
}

/** A connection the server dropped with a request on it: an in-flight request cut. */
export function isConnectionReset(code: string | undefined): boolean {
  return code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE";
}

/** Whether a client should try again. */
export function isRetryable(attempt: Pick<Attempt, "status">): boolean {
  return attempt.status === null || attempt.status >= 500 || attempt.status === 429;
}

/**
 * How long to wait before attempt `next` (2 for the first retry): the server's `Retry-After` in
 * seconds when it sent one (capped), else base x 2^(next-2) up to the maximum, with "equal jitter"
 * (half fixed, half random) so that clients cut off together do not come back together.
 */
export function retryDelayMs(next: number, retryAfter: string | undefined, random: number = Math.random()): number {
  const seconds = retryAfter === undefined ? Number.NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, CLIENT_RETRY.maxRetryAfterMs);
  const ceiling = Math.min(CLIENT_RETRY.maxDelayMs, CLIENT_RETRY.baseDelayMs * 2 ** Math.max(0, next - 2));
  return ceiling / 2 + (ceiling / 2) * random;
}

/** A stack trace in a response body: frames ("    at f (file.js:1:2)"), Node internals, or file:line:column. */
export function hasStackTrace(body: string): boolean {
  return /\n\s+at\s|\bat\s+\S+\s+\([^)]*:\d+:\d+\)|node:internal|\.(?:[cm]?js|ts):\d+:\d+/.test(body);
}

export interface RequestSpec {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

function errorCode(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string }; name?: string };
  return e.code ?? e.cause?.code ?? e.name ?? "ERROR";
}

export class RetryingClient {
  private readonly pool: Pool;

  constructor(baseUrl: string, connections = 128) {
    this.pool = new Pool(baseUrl, { connections, headersTimeout: CLIENT_RETRY.timeoutMs, bodyTimeout: CLIENT_RETRY.timeoutMs, keepAliveTimeout: 60_000 });
  }

  /** Sends `spec`, retrying as a client would; `onAttempt` sees every attempt as it ends. */
  async send(spec: RequestSpec, onAttempt?: (attempt: Attempt) => void, maxAttempts: number = CLIENT_RETRY.maxAttempts): Promise<Outcome> {
    for (let n = 1; ; n++) {
      const startedAt = performance.now();
      let attempt: Attempt;
      let outcome: Outcome | undefined;
      let retryAfter: string | undefined;
      try {
        const response = await this.pool.request({ method: spec.method, path: spec.path, headers: spec.headers, body: spec.body });
        const body = await response.body.text();
        const header = response.headers["retry-after"];
        retryAfter = Array.isArray(header) ? header[0] : header;
        attempt = { status: response.statusCode, startedAt, endedAt: performance.now(), ...(response.statusCode >= 500 ? { errorBody: body } : {}) };
        outcome = { status: response.statusCode, body, headers: response.headers, attempts: n };
      } catch (error) {
        attempt = { status: null, errorCode: errorCode(error), startedAt, endedAt: performance.now() };
      }
      onAttempt?.(attempt);
      if (!isRetryable(attempt) || n >= maxAttempts) return outcome ?? { status: null, body: attempt.errorCode ?? "", headers: {}, attempts: n };
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(n + 1, retryAfter)));
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
