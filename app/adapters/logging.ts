/**
 * JSON logs in the shape Cloud Logging parses from stdout: `severity`, `message`, `time`, and the
 * request's trace as `logging.googleapis.com/trace` so log lines group under their request.
 */
import pino, { type Logger } from "pino";

const SEVERITY: Readonly<Record<string, string>> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warn: "WARNING",
  error: "ERROR",
  fatal: "CRITICAL",
};

export type { Logger };

export function createLogger(options: { level: string; role: string }): Logger {
  return pino(
    {
      level: options.level,
      messageKey: "message",
      errorKey: "error",
      base: { role: options.role },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ severity: SEVERITY[label] ?? "DEFAULT" }) },
    },
    // Synchronous writes: the last lines before process.exit (shutdown, fatal config) are never
    // lost, and the hot paths log only errors, so there is little to write.
    pino.destination({ dest: 1, sync: true }),
  );
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Trace fields for a log entry, from `X-Cloud-Trace-Context: TRACE/SPAN;o=1` (Cloud Run, the load
 * balancer) or W3C `traceparent: 00-TRACE-SPAN-FLAGS`. Empty when there is no trace or no project.
 */
export function traceFields(headers: Headers, project: string | undefined): Record<string, string | boolean> {
  if (!project) return {};
  const cloud = first(headers["x-cloud-trace-context"])?.match(/^([0-9a-f]{32})(?:\/(\d+))?(?:;o=(\d))?/i);
  if (cloud?.[1]) {
    return {
      "logging.googleapis.com/trace": `projects/${project}/traces/${cloud[1]}`,
      ...(cloud[2] ? { "logging.googleapis.com/spanId": cloud[2] } : {}),
      "logging.googleapis.com/trace_sampled": cloud[3] === "1",
    };
  }
  const w3c = first(headers.traceparent)?.match(/^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/i);
  if (w3c?.[1]) {
    return {
      "logging.googleapis.com/trace": `projects/${project}/traces/${w3c[1]}`,
      "logging.googleapis.com/spanId": w3c[2]!,
      "logging.googleapis.com/trace_sampled": (parseInt(w3c[3]!, 16) & 1) === 1,
    };
  }
  return {};
}
