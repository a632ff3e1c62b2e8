/**
 * The production artefact: the esbuild bundle and the web dashboard beside it, copied with the
 * migrations into a directory without node_modules (as in the image), runs every role against the
 * local PostgreSQL and Redis, serves the dashboard from the api, and stops cleanly on SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../loadtests/local/data-services";
import { buildApp } from "../build";
import { isolate, type Isolated } from "./support/isolation";

let isolated: Isolated;
let root: string;
let main: string;
const freshSchema = () => `${isolated.schema}_bundle`;

beforeAll(async () => {
  isolated = await isolate("bundle");
  root = mkdtempSync(join(tmpdir(), "valorize-bundle-"));
  main = join(root, "app", "dist", "main.js");
  await buildApp(undefined, main);
  cpSync(join(__dirname, "..", "migrations"), join(root, "app", "migrations"), { recursive: true });
}, 60_000);

afterAll(async () => {
  await isolated?.pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(freshSchema())} CASCADE`);
  await isolated?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [main, ...args], { cwd: root, env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8", timeout: 30_000 });
}

async function waitReady(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready: ${output()}`);
}

describe("the bundle", () => {
  it("migrates a fresh schema from the copied SQL files", () => {
    const result = run(["migrate"], { ...isolated.env, LOG_LEVEL: "info", DB_SCHEMA: freshSchema() });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('"message":"migrations applied"');
    expect(run(["migrate"], { ...isolated.env, LOG_LEVEL: "info", DB_SCHEMA: freshSchema() }).stdout).toContain('"message":"schema up to date"');
  });

  it("starts api, worker, realtime and dispatcher, answers /readyz, and exits 0 on SIGTERM", async () => {
    const roles = ["api", "worker", "realtime", "dispatcher"] as const;
    const ports = await Promise.all(roles.map(() => freePort()));
    const started = roles.map((role, i) => {
      let output = "";
      const child = spawn(process.execPath, [main, role], {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", ...isolated.env, LOG_LEVEL: "info", PORT: String(ports[i]), WORKER_URL: `http://127.0.0.1:${ports[1]}` },
      });
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      return { role, child, port: ports[i]!, output: () => output };
    });
    try {
      await Promise.all(started.map(({ port, child, output }) => waitReady(port, child, output)));
      for (const { port } of started) expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      // The api found the dashboard beside the bundle (app/dist/web) without being told.
      const page = await fetch(`http://127.0.0.1:${ports[0]}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await page.text();
      const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      expect((await fetch(`http://127.0.0.1:${ports[0]}${script}`)).headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const exits = started.map(({ child }) => new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code))));
      for (const { child } of started) child.kill("SIGTERM");
      expect(await Promise.all(exits)).toEqual([0, 0, 0, 0]);
      for (const { output, role } of started) {
        const lines = output().trim().split("\n").map((line) => JSON.parse(line));
        expect(lines.at(-1)).toMatchObject({ severity: "INFO", role, message: "stopped cleanly" });
      }
    } finally {
      for (const { child } of started) if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("is what the image holds: the bundle, the migrations and the dashboard", () => {
    const dockerfile = readFileSync(join(__dirname, "..", "Dockerfile"), "utf8");
    for (const path of ["/src/app/dist/main.js", "/src/app/migrations", "/src/app/dist/web"]) expect(dockerfile).toMatch(new RegExp(`^COPY --from=build [^\\n]*${path}`, "m"));
  });

  it("refuses an unknown role and a bad configuration with a clear message", () => {
    const unknown = run(["bogus"], {});
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("usage: main.js <api|worker|realtime|dispatcher|migrate>");
    const misconfigured = run(["api"], { DB_POOL_SIZE: "lots", TASKS_BACKEND: "cloud-tasks" });
    expect(misconfigured.status).toBe(78);
    expect(misconfigured.stderr).toContain('DB_POOL_SIZE = "lots": must be an integer between 1 and 200');
    const noDashboard = run(["api"], { ...isolated.env, WEB_ROOT: root });
    expect(noDashboard.status).toBe(78);
    expect(noDashboard.stderr).toContain(`WEB_ROOT = ${JSON.stringify(root)}: ${root} has no index.html`);
  });
});
