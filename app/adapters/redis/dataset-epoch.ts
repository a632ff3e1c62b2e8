/**
 * Which Redis dataset a connection is talking to, so that cached state tagged with it is never
 * trusted across a loss of data.
 *
 * Redis can lose data without any key telling us: a Memorystore Basic instance restarts empty, and
 * a Standard tier failover promotes a replica that may lack the newest writes, because replication
 * is asynchronous (https://cloud.google.com/memorystore/docs/redis/high-availability: "Due to the
 * asynchronous nature of replication, a replica can lag behind the primary"; on failover "All
 * connections to the primary endpoint are dropped"). After such a loss a tenant version key may
 * be absent again, or back at an older value, and a view cached under that value would look
 * current. Both events replace the server process and drop every connection, so:
 * - the epoch is the server's `run_id` (INFO server), new on every start of a Redis process, so a
 *   restarted server or a promoted replica never shares one with the server that held the lost
 *   writes; every instance connected to the same server reads the same id, so they still share
 *   cached views; INFO is among Memorystore's supported commands
 *   (https://cloud.google.com/memorystore/docs/redis/supported-commands). Should a server not
 *   report run_id (not confirmed for Memorystore), the epoch is a random value kept in the dataset
 *   itself (`fallbackKey`, created with SET NX): still shared by every instance and new after the
 *   dataset is lost whole, though not after a failover that keeps an older copy of it;
 * - it is forgotten the moment the connection closes and read again once it is ready, and a
 *   `generation` counter tells a caller whether the connection was replaced while it waited for
 *   a reply (a command issued before a drop can be answered by the new server).
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

export interface Epoch {
  /** The server's run_id (or, if INFO does not report one, a nonce of this connection). */
  readonly id: string;
  readonly generation: number;
}

export class DatasetEpoch {
  private generation = 0;
  private epoch: Epoch | undefined;
  private readonly listeners = new Set<() => void>();
  private waiters: Array<() => void> = [];

  constructor(
    private readonly redis: Redis,
    /** Where the epoch lives when the server reports no run_id. */
    private readonly fallbackKey: string,
  ) {
    redis.on("close", () => this.forget());
    redis.on("ready", () => void this.learn());
    if (redis.status === "ready") void this.learn();
  }

  /** The epoch of the current connection, or undefined while it is (re)connecting. */
  get current(): Epoch | undefined {
    return this.epoch;
  }

  /** Still the same connection to the same dataset as when `epoch` was read. */
  isCurrent(epoch: Epoch): boolean {
    return this.epoch !== undefined && this.epoch.generation === epoch.generation && this.epoch.id === epoch.id;
  }

  /** Resolves once the epoch of a ready connection is known. */
  known(): Promise<void> {
    return this.current ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Called whenever the epoch is forgotten (cached state tagged with it can be dropped). */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private forget(): void {
    this.generation++;
    if (this.epoch) {
      this.epoch = undefined;
      for (const listener of this.listeners) listener();
    }
  }

  private async learn(): Promise<void> {
    const generation = this.generation;
    let id: string;
    try {
      const info = await this.redis.info("server");
      id = /^run_id:([0-9a-f]+)\s*$/m.exec(info)?.[1] ?? (await this.fallbackEpoch());
    } catch {
      return; // the connection went away again; the next "ready" tries again
    }
    // Only if no drop happened meanwhile: otherwise this id may belong to the previous server.
    if (generation !== this.generation || this.redis.status !== "ready") return;
    this.epoch = { id, generation };
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private async fallbackEpoch(): Promise<string> {
    await this.redis.set(this.fallbackKey, `key-${randomBytes(12).toString("hex")}`, "NX");
    return (await this.redis.get(this.fallbackKey)) ?? "";
  }
}
