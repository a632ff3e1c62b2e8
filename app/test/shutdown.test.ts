/**
 * SIGTERM as Cloud Run sends it, to a real api process under keep-alive load with uploads in
 * flight: nobody's connection is reset, every request in flight is answered (with
 * `Connection: close`, so clients move on), and the process exits 0 by itself, before the SIGKILL
 * Cloud Run sends 10 s after SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../loadtests/local/data-services";
import { isolate, type Isolated } from "./support/isolation";
import { eventually } from "./support/roles";

/** Cloud Run's gap between SIGTERM and SIGKILL (container runtime contract). */
const SIGKILL_AFTER_MS = 10_000;

let isolated: Isolated;
let api: ChildProcess;
let port: number;
let output = "";

beforeAll(async () => {
  isolated = await isolate("shutdown");
  port = await freePort();
  api = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "main.ts"), "api"], {
    env: { ...process.env, ...isolated.env, PORT: String(port), LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  api.stdout!.on("data", (chunk) => (output += chunk));
  api.stderr!.on("data", (chunk) => (output += chunk));
  await eventually(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false), 30_000, "the api to be ready");
});

afterAll(async () => {
  if (api && api.exitCode === null && api.signalCode === null) api.kill("SIGKILL");
  await isolated?.cleanup();
});

interface Answer {
  readonly status?: number;
  readonly connection?: string;
  readonly error?: string;
}

/** One request on `agent`; `body` (chunks sent `gapMs` apart) makes it a slow upload. */
function request(agent: http.Agent, options: { method: string; path: string; token: string; body?: string[]; gapMs?: number; onBodyStarted?: () => void }): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        agent,
        method: options.method,
        path: options.path,
        headers: { authorization: `Bearer ${options.token}`, ...(options.body ? { "content-type": "text/csv" } : {}) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode, connection: res.headers.connection }));
        res.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    if (!options.body) return void req.end();
    const chunks = [...options.body];
    options.onBodyStarted?.();
    const next = () => {
      const chunk = chunks.shift();
      if (chunk === undefined) return void req.end();
      req.write(chunk);
      setTimeout(next, options.gapMs ?? 0);
    };
    next();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("SIGTERM under keep-alive load", () => {
  it("resets no connection, answers every request in flight, and exits 0 well before the SIGKILL", { timeout: 60_000 }, async () => {
    const base = `http://127.0.0.1:${port}`;
    const registered = await fetch(`${base}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `shutdown-${isolated.id}@example.com`, password: "correct horse battery", name: "S" }),
    }).then((r) => r.json() as Promise<{ token: string }>);
    const token = registered.token;
    const account = await fetch(`${base}/api/accounts`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "Main", currency: "EUR" }),
    }).then((r) => r.json() as Promise<{ id: string }>);

    // 32 readers, each on its own keep-alive connection, think time up to 20 ms; each stops when
    // told its connection closes (a client then opens its next one elsewhere).
    const answers: Answer[] = [];
    let stopped = false;
    const readers = Array.from({ length: 32 }, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let served = 0; !stopped; served++) {
          const answer = await request(agent, { method: "GET", path: "/api/transactions", token });
          answers.push(answer);
          if (answer.error || answer.connection === "close") return;
          await sleep(Math.random() * 20);
        }
      } finally {
        agent.destroy();
      }
    });
    // 4 uploads on connections that already served a request, still sending their body at SIGTERM.
    let uploading = 0;
    const uploads = Array.from({ length: 4 }, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const first = await request(agent, { method: "GET", path: "/api/accounts", token });
        const rows = Array.from({ length: 12 }, (_, i) => `2025-01-${String(i + 10)},Upload row ${i},-1.00\n`);
        const upload = await request(agent, { method: "POST", path: `/api/imports?account_id=${account.id}`, token, body: ["date,description,amount\n", ...rows], gapMs: 250, onBodyStarted: () => uploading++ });
        return [first, upload];
      } finally {
        agent.destroy();
      }
    });

    // SIGTERM once the load runs and every upload is sending its body (3 s of it: 12 chunks 250 ms apart),
    // however slowly a busy machine got them there.
    await eventually(async () => answers.length >= 32 * 3 && uploading === 4, 15_000, "the load to be running and every upload sending its body");
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => api.once("exit", (code, signal) => resolve({ code, signal })));
    const signalledAt = performance.now();
    api.kill("SIGTERM");
    const killer = setTimeout(() => api.kill("SIGKILL"), SIGKILL_AFTER_MS);
    const exit = await exited;
    clearTimeout(killer);
    const exitMs = performance.now() - signalledAt;
    stopped = true;
    await Promise.all(readers);
    const uploaded = (await Promise.all(uploads)).flat();
    console.log(`[shutdown] exit ${exit.code} ${(exitMs / 1000).toFixed(2)} s after SIGTERM; ${answers.length} reads answered, ${uploaded.length / 2} uploads in flight answered`);

    expect(answers.filter((a) => a.error)).toEqual([]); // no ECONNRESET, no "socket hang up"
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    expect(uploaded.map((a) => a.status)).toEqual([200, 202, 200, 202, 200, 202, 200, 202]);
    expect(uploaded.filter((_, i) => i % 2 === 1).map((a) => a.connection)).toEqual(["close", "close", "close", "close"]);
    expect(exit).toEqual({ code: 0, signal: null }); // by itself, not by the SIGKILL
    expect(output.trim().split("\n").at(-1)).toContain('"message":"stopped cleanly"');
  });
});
