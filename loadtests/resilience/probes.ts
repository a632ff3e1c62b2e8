/**
 * Readiness and liveness, asked all through the run as a platform asks them: `/readyz` must say
 * "not ready" while a dependency is down (so no traffic is routed to an instance that cannot
 * serve), `/healthz` must keep saying "alive" (so the platform does not restart an instance that
 * only waits for its dependency).
 */
import { createConnection } from "node:net";
import pg from "pg";
import { request } from "undici";

export interface ProbeSample {
  readonly target: string;
  /** When it was sent, in seconds since the load started. */
  readonly t: number;
  /** When both answers were in. */
  readonly answeredAt: number;
  /** HTTP status, or null without an answer within the timeout. */
  readonly ready: number | null;
  readonly live: number | null;
}

const PROBE_TIMEOUT_MS = 2_000;

async function status(url: string): Promise<number | null> {
  try {
    const response = await request(url, { headersTimeout: PROBE_TIMEOUT_MS, bodyTimeout: PROBE_TIMEOUT_MS });
    await response.body.dump();
    return response.statusCode;
  } catch {
    return null;
  }
}

export class HealthProbes {
  readonly samples: ProbeSample[] = [];
  private running = false;
  private loops: Promise<void>[] = [];

  /** Pause between probes of a target; the run shortens it while a dependency is down, to see the outage closely. */
  intervalMs = 150;

  constructor(
    /** Base URLs by name (api, worker, realtime). */
    private readonly targets: Readonly<Record<string, string>>,
    private readonly now: () => number,
  ) {}

  start(): void {
    this.running = true;
    this.loops = Object.entries(this.targets).map(async ([target, base]) => {
      while (this.running) {
        const t = this.now();
        const [ready, live] = await Promise.all([status(`${base}/readyz`), status(`${base}/healthz`)]);
        this.samples.push({ target, t, answeredAt: this.now(), ready, live });
        await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
      }
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

/**
 * Readiness while a dependency was down in [downFrom, downTo) (as seen from outside: it refused
 * a fresh connection's commands): a probe sent after the outage began (plus a moment for the
 * role's driver to notice) and answered before the server served again was answered while the
 * dependency was down, so it must not say ready. Liveness must answer 200 whenever it answers
 * during the phase; a probe with no answer at all (the target itself stopped) does not count.
 */
export function readinessDuring(samples: readonly ProbeSample[], downFrom: number, downTo: number, phase: { from: number; to: number }, graceSeconds = 0.05) {
  const whileDown = samples.filter((s) => s.t >= downFrom + graceSeconds && s.answeredAt < downTo);
  return {
    probesWhileDown: whileDown.length,
    readyWhileDown: whileDown.filter((s) => s.ready === 200).length,
    livenessFailures: samples.filter((s) => s.t >= phase.from && s.t < phase.to && s.live !== null && s.live !== 200).length,
  };
}

/**
 * Watches a server from outside, every few milliseconds from now on, with `check` (a fresh
 * connection and a trivial command each time), and returns when it was certainly not serving
 * (seconds on the run's clock): from the answer of the first failed check (a check that started
 * earlier may have begun before the outage) to the answer of the last failed one (the server may
 * have come back any time after it). Undefined when no outage was seen within the timeout.
 */
export async function watchOutage(check: () => Promise<boolean>, now: () => number, timeoutMs = 60_000): Promise<{ from: number; to: number } | undefined> {
  const deadline = Date.now() + timeoutMs;
  let from: number | undefined;
  let to: number | undefined;
  while (Date.now() < deadline) {
    const up = await check();
    const at = now();
    if (!up) {
      from ??= at;
      to = at;
    } else if (from !== undefined) {
      return { from, to: to! };
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return undefined;
}

/** PostgreSQL serves: a new connection runs SELECT 1 (a server starting up or shutting down refuses it). */
export async function postgresServes(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 500 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Redis serves: a new connection answers PING with PONG (not while it loads its append-only file). */
export function redisServes(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("*1\r\n$4\r\nPING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}
