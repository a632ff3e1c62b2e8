/**
 * `npm run screenshots [-- dashboard|live]`: the README's pictures of the pages, taken with
 * Debian's Chromium through playwright-core.
 * - dashboard: the whole system from the bundle, as `npm run local` starts it (LocalSystem: an
 *   isolated schema and key prefix, removed afterwards), a tenant signed up through the page,
 *   transactions, a budget and an import from another client, shown live. Writes
 *   docs/dashboard.png.
 * - live: `npm run experiment -- --profile quick` runs; once its read and mixed scenarios are done
 *   and the async drain has begun, its live view is captured. Writes docs/live-view.png (about
 *   4 minutes).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { buildApp } from "../app/build";
import { resolveDataServices } from "../loadtests/local/data-services";
import { LocalSystem } from "../loadtests/local/system";
import { launchChromium } from "../test/support/browser";

const DOCS = join(__dirname, "..", "docs");

async function dashboard(): Promise<void> {
  const bundle = join(__dirname, "..", "app", "dist", "main.js");
  await buildApp(undefined, bundle);
  const services = await resolveDataServices();
  const logDir = mkdtempSync(join(tmpdir(), "valorize-screenshots-"));
  const runId = `shots${randomBytes(4).toString("hex")}`;
  let system: LocalSystem | undefined;
  let browser: Browser | undefined;
  try {
    system = await LocalSystem.start({ databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, bundle, runId, logDir });
    const baseUrl = system.baseUrl;
    browser = await launchChromium();
    const http = async (method: string, path: string, token: string, body?: unknown, contentType = "application/json") => {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": contentType }) },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<any>;
    };
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(baseUrl);
    const email = `ada-${runId}@example.com`;
    await page.fill("#sign-up-form input[name=name]", "Ada Lovelace");
    await page.fill("#sign-up-form input[name=email]", email);
    await page.fill("#sign-up-form input[name=password]", "correct horse battery");
    await page.click("#sign-up-form button[type=submit]");
    for (const name of ["Current account", "Savings"]) {
      await page.fill("#account-form input[name=name]", name);
      await page.click("#account-form button[type=submit]");
      await page.locator(`#accounts li:has-text("${name}")`).waitFor();
    }
    await page.locator('#live[data-state="live"]').waitFor();

    const { token } = await (await fetch(`${baseUrl}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: "correct horse battery" }) })).json() as { token: string };
    const accounts = (await http("GET", "/api/accounts", token)).data as Array<{ id: string; name: string }>;
    const current = accounts.find((account) => account.name === "Current account")!.id;
    const savings = accounts.find((account) => account.name === "Savings")!.id;
    const categories = (await http("GET", "/api/categories", token)).data as Array<{ id: string; name: string }>;
    const category = (name: string) => categories.find((c) => c.name === name)!.id;
    await http("POST", "/api/budgets", token, { category_id: category("Groceries"), monthly_limit: "120.00" });
    await http("POST", "/api/budgets", token, { category_id: category("Food & Dining"), monthly_limit: "80.00" });

    const month = new Date().toISOString().slice(0, 8);
    const day = (n: number) => `${month}${String(Math.min(n, new Date().getUTCDate())).padStart(2, "0")}T09:00:00Z`;
    const spending: Array<[string, string, number]> = [
      ["Salary ACME Corp", "3200.00", 1],
      ["Rent December", "-1150.00", 1],
      ["Electricity bill", "-62.00", 2],
      ["Tesco groceries", "-84.20", 3],
      ["Starbucks coffee", "-4.60", 3],
      ["Uber trip", "-18.40", 4],
      ["Amazon order", "-39.99", 5],
      ["Pharmacy", "-12.30", 5],
      ["Pizza Napoli restaurant", "-31.50", 6],
      ["Lidl supermarket", "-46.75", 7],
      ["Netflix subscription", "-15.99", 8],
    ];
    for (const [description, amount, n] of spending) {
      await http("POST", "/api/transactions", token, { account_id: current, amount, description, occurred_at: day(n) });
    }
    const rows = Array.from({ length: 240 }, (_, i) => `2025-0${1 + (i % 9)}-1${i % 10},${i % 3 === 0 ? "Transfer from current" : "Interest"},${i % 3 === 0 ? "50.00" : "0.85"}`);
    await http("POST", `/api/imports?account_id=${savings}`, token, `date,description,amount\n${rows.join("\n")}\n`, "text/csv");
    await page.locator('#imports li[data-status="completed"]').waitFor({ timeout: 30_000 });
    await page.locator('#notifications li[data-kind="budget.exceeded"]').first().waitFor({ timeout: 30_000 });
    await page.locator('#transactions tr:has-text("Netflix subscription") td.category:has-text("Entertainment")').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(DOCS, "dashboard.png"), fullPage: true });
    console.log(`wrote ${join(DOCS, "dashboard.png")}`);
  } finally {
    await browser?.close();
    await system?.stop();
    await services.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}

async function liveView(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), "valorize-experiment-"));
  const experiment = spawn(process.execPath, ["--import", "tsx", join(__dirname, "experiment.ts"), "--profile", "quick", "--out", out], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => experiment.once("exit", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    experiment.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const found = /live view: .*?(http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)?.[1];
      if (found) resolve(found);
    });
    experiment.once("exit", () => reject(new Error(`the experiment ended before printing its live view:\n${text}`)));
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForFunction(`/async: [1-9]/.test(document.getElementById("status")?.textContent ?? "")`, undefined, { timeout: 15 * 60_000, polling: 1000 });
    await page.waitForTimeout(4000);
    await page.screenshot({ path: join(DOCS, "live-view.png"), fullPage: true });
    console.log(`wrote ${join(DOCS, "live-view.png")}`);
  } finally {
    await browser.close();
    experiment.kill("SIGINT");
    await exited;
    rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const which = process.argv.slice(2);
  if (which.length === 0 || which.includes("dashboard")) await dashboard();
  if (which.length === 0 || which.includes("live")) await liveView();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
