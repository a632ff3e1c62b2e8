/**
 * The async pipeline experiment, as the study ran it: publish a whole batch of categorisation
 * tasks through the api's enqueue path (uncategorised transactions) while delivery is paused, then
 * resume delivery and time the drain alone. Publishing and draining are reported separately; the
 * drain rate is drained tasks over drain time. Without a way to pause delivery (a system reached
 * only through its API), the two overlap and the report says so.
 *
 * The audit is exact and independent of the app's own bookkeeping:
 * - lost: published transactions still uncategorised when the drain ends (from the database, or
 *   through the API where the database is private);
 * - duplicated: a categorisation applied more than once. The worker emits one
 *   `transaction.categorised` event per applied categorisation (a redelivery that finds the work
 *   done announces it again, marked `repeat`, which is not counted); the run listens to every
 *   publisher's event stream (the realtime WebSocket) and counts events per transaction. Dropped
 *   events cannot create duplicates, so any duplicate counted is real.
 */
import { Pool } from "undici";
import WebSocket from "ws";
import { CategorisationCounter } from "../categorisation-events";
import { createTransactionBody, type LoadUser } from "../requests";
import type { AsyncScenarioResult, DrainPoint } from "../results";
import type { AsyncScenario } from "../scenarios";

/** How the run learns how far the drain got. */
export interface DrainProbe {
  /** Published transactions categorised so far. */
  categorised(): Promise<number>;
  /** Published transactions not categorised (at the end: the lost tasks). */
  uncategorised(): Promise<number>;
}

/** Holds task delivery while the batch is published. */
export interface DeliveryGate {
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Tasks in the queues (local runs): publishing ends once the whole batch is there. */
  backlog?(): Promise<number>;
}

/**
 * The api answers a write once it committed; its follow-ups (the task among them) run just after,
 * from the transactional outbox. Publishing is over when every task is in the queue.
 */
async function untilQueued(gate: DeliveryGate, tasks: number, timeoutMs = 60_000): Promise<void> {
  if (!gate.backlog) return;
  const deadline = performance.now() + timeoutMs;
  while ((await gate.backlog()) < tasks && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

export interface AsyncRunOptions {
  readonly baseUrl: string;
  /** `ws(s)://host/ws` of the realtime service. */
  readonly realtimeUrl: string;
  readonly scenario: AsyncScenario;
  /** Fresh users that own nothing but the published transactions. */
  readonly publishers: readonly LoadUser[];
  readonly probe: DrainProbe;
  readonly onProgress?: (progress: { published: number; categorised: number; backlog: number }) => void;
  /** How often the probe is asked while draining. @default 500 ms */
  readonly pollMs?: number;
  /** Pauses delivery during publishing so the drain is timed alone; without it they overlap. */
  readonly gate?: DeliveryGate;
  /** Worker instances serving the drain, for the report (local: processes; cloud: unknown here). */
  readonly workerInstances?: number;
}

/** Counts `transaction.categorised` events per transaction over every publisher's socket. */
class EventAudit {
  private readonly sockets: WebSocket[] = [];
  private readonly counter = new CategorisationCounter();

  async open(realtimeUrl: string, users: readonly LoadUser[]): Promise<void> {
    await Promise.all(
      users.map(
        (user) =>
          new Promise<void>((resolve, reject) => {
            const socket = new WebSocket(realtimeUrl, { headers: { authorization: `Bearer ${user.token}` } });
            socket.once("open", () => resolve());
            socket.once("error", reject);
            socket.on("message", (data) => this.counter.observe(String(data)));
            this.sockets.push(socket);
          }),
      ),
    );
  }

  /** Effects applied more than once: every event beyond the first for a transaction. */
  get duplicated(): number {
    return this.counter.duplicated;
  }

  close(): void {
    for (const socket of this.sockets) socket.close();
  }
}

/** Publishes with bounded concurrency; a failed publish is retried with the same idempotency key. */
async function publish(baseUrl: string, scenario: AsyncScenario, publishers: readonly LoadUser[], onPublished: (n: number) => void): Promise<number> {
  const pool = new Pool(baseUrl, { connections: scenario.publishConcurrency });
  let next = 0;
  let published = 0;
  const runTag = Date.now().toString(36);
  try {
    await Promise.all(
      Array.from({ length: scenario.publishConcurrency }, async () => {
        for (let i = next++; i < scenario.tasks; i = next++) {
          const user = publishers[i % publishers.length]!;
          const iteration = Math.floor(i / publishers.length);
          for (let attempt = 1; ; attempt++) {
            const response = await pool.request({
              path: "/api/transactions",
              method: "POST",
              headers: { "content-type": "application/json", authorization: `Bearer ${user.token}`, "idempotency-key": `async-${runTag}-${i}` },
              body: createTransactionBody(user, iteration, Date.now()),
            });
            await response.body.dump();
            if (response.statusCode === 201) break;
            if (attempt >= 8) throw new Error(`publishing task ${i} failed with ${response.statusCode} after ${attempt} attempts`);
            await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
          }
          onPublished(++published);
        }
      }),
    );
    return published;
  } finally {
    await pool.close();
  }
}

export async function runAsyncScenario(options: AsyncRunOptions): Promise<AsyncScenarioResult> {
  const { scenario, probe } = options;
  const pollMs = options.pollMs ?? 500;
  const audit = new EventAudit();
  await audit.open(options.realtimeUrl, options.publishers);
  const timeline: DrainPoint[] = [{ t: 0, completed: 0 }];
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let published = 0;
  let categorised = 0;
  let drainedAt: number | undefined;

  let polling = true;
  const poller = (async () => {
    while (polling) {
      await new Promise((r) => setTimeout(r, pollMs));
      if (!polling) break;
      categorised = await probe.categorised();
      timeline.push({ t: elapsed(), completed: categorised });
      options.onProgress?.({ published, categorised, backlog: published - categorised });
    }
  })();

  try {
    await options.gate?.pause();
    published = await publish(options.baseUrl, scenario, options.publishers, (n) => (published = n));
    if (options.gate) await untilQueued(options.gate, published);
    const publishSeconds = elapsed();
    // Paused: the drain starts now, with the whole batch waiting. Overlapped: it started with publishing.
    if (options.gate) await options.gate.resume();
    const drainStartedAt = options.gate ? elapsed() : 0;
    const deadline = performance.now() + scenario.drainTimeoutSeconds * 1000;
    while (performance.now() < deadline) {
      categorised = await probe.categorised();
      if (categorised >= published) {
        drainedAt = elapsed();
        break;
      }
      await new Promise((r) => setTimeout(r, Math.min(pollMs, 100)));
    }
    polling = false;
    await poller;
    const endedAt = drainedAt ?? elapsed();
    timeline.push({ t: endedAt, completed: categorised });
    timeline.sort((a, b) => a.t - b.t);
    // Let the last events cross the pub/sub backplane before counting duplicates.
    await new Promise((r) => setTimeout(r, 1000));
    const lost = await probe.uncategorised();
    const drainSeconds = endedAt - drainStartedAt;
    const duplicated = audit.duplicated;
    return {
      name: "async",
      tasks: published,
      publishSeconds,
      publishRate: published / publishSeconds,
      drainMode: options.gate ? "after-publish" : "overlapped",
      drainStartedAt,
      drainSeconds,
      tasksPerSecond: (published - lost) / drainSeconds,
      ...(options.workerInstances !== undefined ? { workerInstances: options.workerInstances } : {}),
      lost,
      duplicated,
      timeline,
      ok: lost === 0 && duplicated === 0,
    };
  } finally {
    polling = false;
    audit.close();
  }
}
