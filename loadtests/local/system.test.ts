import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { categoriseTask } from "../../app/domain/tasks";
import { resolveDataServices } from "./data-services";
import { childrenOf } from "./placement";
import { commandLine, LocalSystem } from "./system";

describe("the local system's process tree", () => {
  it("finds a process's children (what the resilience experiment kills with its launcher)", async () => {
    const parent = spawn("sh", ["-c", "sleep 30 & sleep 30 & wait"], { stdio: "ignore" });
    try {
      let children: number[] = [];
      for (let i = 0; i < 50 && children.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 20));
        children = childrenOf(parent.pid!);
      }
      expect(children).toHaveLength(2);
      expect(children).not.toContain(parent.pid);
      expect(childrenOf(2 ** 22 + 1)).toEqual([]); // no such process
      expect(commandLine(children[0]!)).toBe("sleep 30 ");
      expect(commandLine(2 ** 22 + 1)).toBe("");
    } finally {
      for (const pid of childrenOf(parent.pid!)) process.kill(pid, "SIGKILL");
      parent.kill("SIGKILL");
    }
  });
});

describe("a local system of some roles, pinned and with a role's own variables", () => {
  it("migrates, seeds, starts only the roles named, on their cores with their variables, queues tasks, and removes everything", { timeout: 120_000 }, async () => {
    const services = await resolveDataServices();
    const logDir = await mkdtemp(join(tmpdir(), "local-system-test-"));
    const system = await LocalSystem.start({
      databaseUrl: services.databaseUrl,
      redisUrl: services.redisUrl,
      bundle: join(__dirname, "..", "..", "app", "main.ts"),
      runId: `systest${randomBytes(4).toString("hex")}`,
      logDir,
      roles: ["dispatcher"],
      affinity: { dispatcher: "0" },
      roleEnv: { dispatcher: { LOG_LEVEL: "debug" } },
    });
    const queues = system.taskQueues();
    try {
      const [dispatcher] = system.instancePids("dispatcher");
      expect(/^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${dispatcher}/status`, "utf8"))?.[1]).toBe("0");
      const environ = readFileSync(`/proc/${dispatcher}/environ`, "utf8").split("\0");
      expect(environ).toContain("LOG_LEVEL=debug");
      expect(environ).toContain(`DB_SCHEMA=${system.schema}`);
      expect(system.env.LOG_LEVEL).toBe("info"); // the override is the dispatcher's alone
      expect(() => system.instancePids("realtime")).toThrow("no realtime process is running");
      expect(() => system.baseUrl).toThrow("the api is not one of this system's roles");

      const users = await system.seed({ users: 2, accountsPerUser: 1, txPerAccount: 3 }, join(logDir, "seed.json"));
      expect(users).toHaveLength(2);
      const client = await system.database();
      const { rows } = await client.query<{ id: string; user_id: string }>("SELECT id, user_id FROM transactions");
      await client.end();
      expect(rows).toHaveLength(6);

      await queues.pause();
      await queues.enqueue(rows.map((row) => categoriseTask(row.user_id, row.id)));
      expect(await queues.backlog()).toBe(6);
    } finally {
      await queues.close();
      await system.stop();
    }
    const client = new pg.Client({ connectionString: services.databaseUrl });
    await client.connect();
    const { rowCount } = await client.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [system.schema]);
    await client.end();
    expect(rowCount).toBe(0);
    const redis = new Redis(services.redisUrl);
    const left: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${system.keyPrefix}*`, "COUNT", 1000);
      left.push(...keys);
      cursor = next;
    } while (cursor !== "0");
    expect(left).toEqual([]);
    redis.disconnect();
    await services.stop();
    await rm(logDir, { recursive: true, force: true });
  });
});
