/**
 * schemathesis (from PyPI, pinned; `bash scripts/schemathesis.sh install`, which .ci/run runs
 * before `npm test`) against the api over the real PostgreSQL and Redis, driven by the published
 * OpenAPI description: a bounded number of generated requests per operation (valid and invalid),
 * a fixed seed, and checks that fail on any 5xx, any answer that breaks its documented schema,
 * status code, content type or headers, any schema-invalid request that is accepted, any operation
 * that ignores authentication, and any undeclared method not answered 405.
 *
 * Not checked: `positive_data_acceptance`. The domain's rules (non-zero amounts, dates within
 * 1970-2099, trimmed non-empty text without control characters) are stricter than the JSON Schema
 * says (the description states them in prose), so schema-valid requests are sometimes refused.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { API } from "../adapters/http/api-contract";
import type { ApiInstance } from "../entrypoints/api";
import { ApiClient, type Tenant } from "./support/api-client";
import { isolate, type Isolated } from "./support/isolation";
import { startApi } from "./support/roles";

const SEED = 20_261_201;
/** Per operation and phase; about 1,000 requests in all, 30-60 s on this project's 2-core machines. */
const MAX_EXAMPLES = 40;
/** A bound on the whole run, far above what it takes, so a hang fails instead of stalling CI. */
const RUN_TIMEOUT_MS = 240_000;
const CHECKS = [
  "not_a_server_error",
  "status_code_conformance",
  "content_type_conformance",
  "response_headers_conformance",
  "response_schema_conformance",
  "negative_data_rejection",
  "missing_required_header",
  "ignored_auth",
  "unsupported_method",
  "allow_header_conformance",
];

const REPOSITORY = join(__dirname, "..", "..");

let isolated: Isolated;
let api: ApiInstance;
let baseUrl: string;
let tenant: Tenant;
let importId: string;
let workdir: string;

beforeAll(async () => {
  isolated = await isolate("schemathesis");
  api = await startApi(isolated);
  baseUrl = await api.server.app.listen({ host: "127.0.0.1", port: 0 });
  // A seeded tenant: its token authenticates every request, its account and import give the
  // operations that take ids something that exists (otherwise nearly all of them stop at a 404).
  const client = new ApiClient(api.server.app);
  tenant = await client.tenant("Schemathesis");
  const upload = await client.request({
    method: "POST",
    url: `${API.startImport.path}?account_id=${tenant.accountId}`,
    token: tenant.token,
    headers: { "content-type": "text/csv" },
    payload: "date,description,amount\n2025-01-31,Seed,-1.00\n",
  });
  importId = upload.json().id;
  workdir = mkdtempSync(join(tmpdir(), "valorize-schemathesis-"));
}, 60_000);

afterAll(async () => {
  await api?.close();
  await isolated?.cleanup();
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

/** The pinned schemathesis, or a failure that says how to install it (never a skip). */
function schemathesisExecutable(): string {
  const found = spawnSync("bash", [join(REPOSITORY, "scripts", "schemathesis.sh"), "path"], { encoding: "utf8" });
  if (found.status !== 0) throw new Error(found.stderr.trim() || "scripts/schemathesis.sh path failed");
  return found.stdout.trim();
}

function run(executable: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Its own directory: schemathesis looks for schemathesis.toml there and writes its reports there.
    const child = spawn(executable, args, { cwd: workdir, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

interface RunReport {
  readonly running_time: number;
  readonly exit_code: number;
  readonly operations: { readonly selected: number; readonly tested: number };
  readonly test_cases: { readonly generated: number; readonly with_failures: number };
  readonly failures: ReadonlyArray<{ readonly code: string; readonly title: string; readonly operations: readonly string[] }>;
  readonly errors: readonly unknown[];
}

it(
  "finds no 5xx and no answer that breaks the published OpenAPI description",
  async () => {
    const executable = schemathesisExecutable();
    writeFileSync(
      join(workdir, "schemathesis.toml"),
      [
        // Fixed values for the ids that must exist; every other input is generated.
        "[parameters]",
        `"path.id" = "${importId}"`,
        `"query.account_id" = "${tenant.accountId}"`,
        "",
      ].join("\n"),
    );
    const { code, output } = await run(executable, [
      "run",
      `${baseUrl}${API.openapi.path}`,
      "--url",
      baseUrl,
      "--header",
      `Authorization: Bearer ${tenant.token}`,
      "--checks",
      CHECKS.join(","),
      "--max-examples",
      String(MAX_EXAMPLES),
      "--seed",
      String(SEED),
      "--phases",
      "examples,coverage,fuzzing,stateful",
      "--workers",
      "1",
      "--request-timeout",
      "10",
      "--generation-database",
      "none",
      "--no-color",
      "--report",
      "json",
      "--report-dir",
      workdir,
    ]);
    const reportFile = readdirSync(workdir).find((name) => name.startsWith("json-") && name.endsWith(".json"));
    if (!reportFile) throw new Error(`schemathesis wrote no report (exit ${code}):\n${output}`);
    const report = JSON.parse(readFileSync(join(workdir, reportFile), "utf8")) as RunReport;
    console.log(
      `schemathesis: ${report.operations.tested}/${report.operations.selected} operations, ` +
        `${report.test_cases.generated} test cases, ${report.failures.length} kinds of failure, ${report.running_time.toFixed(1)} s (seed ${SEED})`,
    );
    const failures = report.failures.map((failure) => `${failure.code} ${failure.title}: ${failure.operations.join(", ")}`);
    expect(failures, output).toEqual([]);
    expect(report.errors, output).toEqual([]);
    expect(report.operations.tested).toBe(Object.keys(API).length - 1); // all but the description itself
    expect(report.test_cases.generated).toBeGreaterThanOrEqual(500);
    expect(code, output).toBe(0);
  },
  RUN_TIMEOUT_MS + 30_000,
);
