/**
 * The web dashboard in a real browser (Debian's Chromium through playwright-core) against the
 * real roles: the api serving the built page and the JSON API, a realtime instance, the worker and
 * the local dispatcher, over the isolated PostgreSQL and Redis. Transactions come from another
 * client (plain HTTP with the tenant's token); the page must show them, and their categories,
 * without a reload, keep tenants apart, and survive a restart of its realtime instance.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../loadtests/local/data-services";
import { buildWeb } from "../build";
import type { ApiInstance } from "../entrypoints/api";
import type { DispatcherInstance } from "../entrypoints/dispatcher";
import type { RealtimeInstance } from "../entrypoints/realtime";
import type { WorkerInstance } from "../entrypoints/worker";
import { launchChromium } from "../../test/support/browser";
import { isolate, type Isolated } from "./support/isolation";
import { startApi, startDispatcher, startRealtime, startWorker } from "./support/roles";

/** What the issue asks: a transaction, then its category, on the page within 2 s of its creation. */
const LIVE_WITHIN_MS = 2_000;

let isolated: Isolated;
let webRoot: string;
let api: ApiInstance;
let baseUrl: string;
let realtimePort: number;
let realtime: RealtimeInstance;
let worker: WorkerInstance & { url: string };
let dispatcher: DispatcherInstance;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  // First, so that a machine without Chromium fails at once with the fix, before anything starts.
  browser = await launchChromium();
  webRoot = mkdtempSync(join(tmpdir(), "valorize-web-"));
  isolated = await isolate("dashboard");
  realtimePort = await freePort();
  await buildWeb(webRoot);
  [realtime, worker, api] = await Promise.all([
    startRealtime(isolated, {}, realtimePort),
    startWorker(isolated),
    // The native local system: the page comes from the api, the WebSocket from realtime's own port.
    startApi(isolated, { WEB_ROOT: webRoot, REALTIME_PUBLIC_URL: `ws://127.0.0.1:${realtimePort}/ws` }),
  ]);
  dispatcher = await startDispatcher(isolated, worker.url);
  baseUrl = await api.server.app.listen({ host: "127.0.0.1", port: 0 });
}, 120_000);

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
  await browser?.close();
  await dispatcher?.close();
  await Promise.all([worker?.close(), realtime?.close(), api?.close()]);
  await isolated?.cleanup();
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
});

interface Visitor {
  readonly page: Page;
  readonly email: string;
  readonly password: string;
  /** The token another client (not the page) uses for this tenant. */
  readonly token: string;
  readonly accountId: string;
  /** Every WebSocket frame the page received. */
  readonly frames: string[];
  /** Main-frame navigations after the first load: a reload would add one. */
  readonly navigations: () => number;
}

/** Another client: plain HTTP to the api, as a phone app or a bank feed would. */
async function http(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as any;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Signs up through the page, opens an account through the page, and waits until the page is live. */
async function signUp(name: string): Promise<Visitor> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  const frames: string[] = [];
  page.on("websocket", (socket) => socket.on("framereceived", (frame) => frames.push(String(frame.payload))));
  let loads = 0;
  page.on("framenavigated", (frame) => void (frame === page.mainFrame() && loads++));
  const email = `${name.toLowerCase()}-${isolated.id}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = "correct horse battery";

  await page.goto(baseUrl);
  const form = page.locator("#sign-up-form");
  await form.locator("input[name=name]").fill(name);
  await form.locator("input[name=email]").fill(email);
  await form.locator("input[name=password]").fill(password);
  await form.locator("button[type=submit]").click();
  await page.locator("#dashboard").waitFor({ state: "visible" });
  await expect.poll(() => page.locator("#who").textContent()).toContain(email);

  const accountForm = page.locator("#account-form");
  await accountForm.locator("input[name=name]").fill("Main");
  await accountForm.locator("button[type=submit]").click();
  await page.locator("#accounts li[data-id]").waitFor();
  await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 });

  const { token } = await http("POST", "/api/auth/login", undefined, { email, password });
  const accountId = (await http("GET", "/api/accounts", token)).data[0].id as string;
  const loadsAtStart = loads;
  return { page, email, password, token, accountId, frames, navigations: () => loads - loadsAtStart };
}

const today = () => new Date().toISOString();

function createTransaction(visitor: Visitor, description: string, amount: string) {
  return http("POST", "/api/transactions", visitor.token, { account_id: visitor.accountId, amount, description, occurred_at: today() });
}

/** Waits until `check` holds in the page, at most until `deadline` (epoch ms). */
async function inPageBy(page: Page, deadline: number, check: string, argument: unknown): Promise<void> {
  await page.waitForFunction(check, argument, { timeout: Math.max(1, deadline - Date.now()), polling: 25 });
}

const rowShown = "(id) => document.querySelector(`#transactions tr[data-id=\"${id}\"]`) !== null";
const categoryShown = "([id, name]) => document.querySelector(`#transactions tr[data-id=\"${id}\"] td.category`)?.textContent === name";

describe("the dashboard in a real browser", () => {
  let alice: Visitor;

  it("signs up, then shows a transaction created by another client and then its category, within 2 s and without a reload", async () => {
    alice = await signUp("Alice");
    await alice.page.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));

    const created = await createTransaction(alice, "Netflix subscription", "-15.99");
    const deadline = Date.now() + LIVE_WITHIN_MS;
    await inPageBy(alice.page, deadline, rowShown, created.id);
    await inPageBy(alice.page, deadline, categoryShown, [created.id, "Entertainment"]);

    const row = alice.page.locator(`#transactions tr[data-id="${created.id}"]`);
    expect(await row.locator("td.description").textContent()).toBe("Netflix subscription");
    expect(await alice.page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(alice.navigations()).toBe(0);
    // The balance and this month's chart follow from the same events.
    await expect.poll(() => alice.page.locator(`#accounts li[data-id="${alice.accountId}"] .balance`).textContent()).toContain("15.99");
    await expect.poll(() => alice.page.locator('#spending-chart g[data-category="Entertainment"]').count()).toBe(1);
  });

  it("never shows a second tenant's page the first tenant's events", async () => {
    const bob = await signUp("Bob");
    const alices = await Promise.all([createTransaction(alice, "Rent December", "-900.00"), createTransaction(alice, "Grocery store", "-42.10")]);
    for (const transaction of alices) await alice.page.locator(`#transactions tr[data-id="${transaction.id}"]`).waitFor();

    // Both pages use the same realtime instance, whose Redis subscription delivers in publish
    // order: had Bob's page been sent Alice's events, they would have come before his own.
    const bobs = await createTransaction(bob, "Bakery", "-3.40");
    await bob.page.locator(`#transactions tr[data-id="${bobs.id}"]`).waitFor();
    const received = bob.frames.join("\n");
    expect(received).toContain(bobs.id);
    for (const transaction of alices) expect(received).not.toContain(transaction.id);
    expect(received).not.toContain(alice.accountId);
    const bobsTable = await bob.page.locator("#transactions").textContent();
    expect(bobsTable).toContain("Bakery");
    for (const text of ["Rent December", "Grocery store", "Netflix subscription"]) expect(bobsTable).not.toContain(text);
  });

  it("keeps working after its realtime instance is restarted: reconnects with backoff and catches up through the API", async () => {
    const { page } = alice;
    const navigationsBefore = alice.navigations();
    await realtime.close();
    await page.locator('#live[data-state="reconnecting"]').waitFor({ timeout: 10_000 });

    // Published while no realtime instance is up: no socket gets these events.
    const missed = await createTransaction(alice, "Cinema tickets", "-24.00");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await page.locator(`#transactions tr[data-id="${missed.id}"]`).count()).toBe(0);

    realtime = await startRealtime(isolated, {}, realtimePort);
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 15_000 });
    await page.locator(`#transactions tr[data-id="${missed.id}"]`).waitFor({ timeout: 5_000 });

    const after = await createTransaction(alice, "Spotify family", "-17.99");
    const deadline = Date.now() + LIVE_WITHIN_MS;
    await inPageBy(page, deadline, rowShown, after.id);
    await inPageBy(page, deadline, categoryShown, [after.id, "Entertainment"]);
    expect(alice.navigations()).toBe(navigationsBefore);
    expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  });
});
