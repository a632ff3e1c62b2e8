import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { ExperimentError } from "../errors";
import { answering, canConnect, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, freePort, throwawayPostgres } from "./data-services";

/** The servers this machine's tests use (.ci/run starts them), as resolveDataServices finds them. */
const DATABASE_URL = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;

describe("explicit DATABASE_URL / REDIS_URL", () => {
  it("are used as given when their servers answer", async () => {
    expect(await answering("DATABASE_URL", DATABASE_URL, 5432)).toBe(DATABASE_URL);
    expect(await answering("REDIS_URL", REDIS_URL, 6379)).toBe(REDIS_URL);
  });

  it("fail fast, naming the variable, the address and the way out, when nothing answers", async () => {
    const port = await freePort();
    const url = `postgres://postgres@127.0.0.1:${port}/test`;
    await expect(answering("DATABASE_URL", url, 5432)).rejects.toThrow(ExperimentError);
    await expect(answering("DATABASE_URL", url, 5432)).rejects.toThrow(
      `DATABASE_URL points at 127.0.0.1:${port}, where nothing answers: start the server there, or unset DATABASE_URL`,
    );
  });

  it("refuse what is not a URL", async () => {
    await expect(answering("REDIS_URL", "127.0.0.1 6379", 6379)).rejects.toThrow(/REDIS_URL is not a URL/);
  });
});

describe("a throwaway PostgreSQL (the resilience experiment restarts its own)", () => {
  it("restarts fast, cutting its clients and keeping what was committed, then stops", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "throwaway-pg-"));
    const server = await throwawayPostgres(dir);
    try {
      const before = new pg.Client({ connectionString: server.url });
      const cut = new Promise<Error>((resolve) => before.on("error", resolve));
      await before.connect();
      await before.query("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");
      const started = performance.now();
      await server.restart();
      console.log(`[throwaway-pg] pg_ctl restart -m fast took ${(performance.now() - started).toFixed(0)} ms`);
      expect((await cut).message).toMatch(/terminating connection due to administrator command|Connection terminated/);
      const after = new pg.Client({ connectionString: server.url });
      await after.connect();
      expect((await after.query("SELECT n FROM kept")).rows).toEqual([{ n: 42 }]);
      await after.end();
      await server.stop();
      expect(await canConnect("127.0.0.1", server.port)).toBe(false);
    } finally {
      await server.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
