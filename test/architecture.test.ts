/**
 * Architecture rules that keep synth fast, the cdktf dependency swappable and the layers apart:
 * - only lib/cdktf.ts imports `cdktf` (a move to the community fork is a one-file change);
 * - provider classes are imported by deep path, never through the package barrel, which loads
 *   ~1,470 modules and costs seconds per synth;
 * - no import goes up a floor: lib/ imports no project folder, policies/ imports no stacks/, and
 *   constructs/ nothing from environments/ (constructs take typed props; the stack maps config);
 * - the load tests and scripts do not reach into the app's tests (app/test/): they start the
 *   system with their own process control (loadtests/local), and what both share lives in
 *   test/support;
 * - constructs and stacks stay small: no file over 250 lines, no constructor over 80.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..");
const SKIP = new Set(["node_modules", "cdktf.out", "dist", ".git", "coverage", "results"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (SKIP.has(entry)) return [];
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(c|m)?tsx?$/.test(entry) ? [path] : [];
  });
}

const IMPORT = /(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g;

export function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

export function violations(files: ReadonlyArray<{ path: string; source: string }>): string[] {
  const found: string[] = [];
  for (const { path, source } of files) {
    for (const specifier of importsOf(source)) {
      if (/^@cdktf\/provider-[a-z]+$/.test(specifier)) {
        found.push(`${path}: barrel import "${specifier}"; import the class from "${specifier}/lib/<resource>"`);
      }
      if ((specifier === "cdktf" || specifier.startsWith("cdktf/")) && path !== "lib/cdktf.ts") {
        found.push(`${path}: imports "${specifier}" directly; import from lib/cdktf instead`);
      }
    }
  }
  return found;
}

/** The repository path a relative import in `path` resolves to (without extension), if it stays inside the repository. */
export function importedPath(path: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const target = posix.normalize(posix.join(posix.dirname(path), specifier));
  return target.startsWith("..") ? undefined : target;
}

/** The project folder (first path segment) a relative import in `path` resolves to, if it leaves `path`'s own folder tree. */
export function importedFolder(path: string, specifier: string): string | undefined {
  return importedPath(path, specifier)?.split("/")[0];
}

/** Folders that must not import the app's tests or their support (app/test/). */
const NOT_APP_TEST_IMPORTERS = ["loadtests", "scripts"];

/**
 * Imports that go up a floor. The floors, bottom up: contract < lib < policies < environments <
 * constructs < stacks, and the app beside them. Checked: contract/ (what the app and the
 * infrastructure agree on) and lib/ (helpers) import no project folder; policies/
 * imports nothing from stacks/; constructs/ and app/ import nothing from environments/ (they get
 * plain values: the stacks map validated config to props, the app reads its environment
 * variables); the app imports nothing of the infrastructure.
 */
export function layerViolations(files: ReadonlyArray<{ path: string; source: string }>): string[] {
  const forbidden: Readonly<Record<string, (folder: string) => boolean>> = {
    contract: () => true,
    lib: () => true,
    policies: (folder) => folder === "stacks",
    constructs: (folder) => folder === "environments",
    app: (folder) => ["environments", "constructs", "stacks", "policies", "lib", "loadtests", "scripts"].includes(folder),
  };
  // The app's own tests may start throwaway servers with the load tests' process control
  // (loadtests/local/data-services.ts); the app itself may not.
  const appTest = (path: string, folder: string) => path.startsWith("app/test/") && folder === "loadtests";
  const found: string[] = [];
  for (const { path, source } of files) {
    const own = path.split("/")[0]!;
    const rule = forbidden[own];
    if (!rule) continue;
    for (const specifier of importsOf(source)) {
      const folder = importedFolder(path, specifier);
      if (folder !== undefined && folder !== own && rule(folder) && !appTest(path, folder)) found.push(`${path}: imports "${specifier}" (${own}/ must not import ${folder}/)`);
    }
  }
  for (const { path, source } of files) {
    const own = path.split("/")[0]!;
    if (!NOT_APP_TEST_IMPORTERS.includes(own)) continue;
    for (const specifier of importsOf(source)) {
      if (importedPath(path, specifier)?.startsWith("app/test/")) {
        found.push(`${path}: imports "${specifier}" (${own}/ must not import the app's tests: start the system with loadtests/local, share helpers through test/support)`);
      }
    }
  }
  return found;
}

export const MAX_FILE_LINES = 250;
export const MAX_CONSTRUCTOR_LINES = 80;

/** Lines of each `constructor(...) { ... }` in a source, by brace matching (parameters first, then the body). */
export function constructorLengths(source: string): number[] {
  const lengths: number[] = [];
  for (const match of source.matchAll(/\bconstructor\s*\(/g)) {
    let i = match.index + match[0].length;
    for (let depth = 1; depth > 0 && i < source.length; i++) {
      if (source[i] === "(") depth++;
      else if (source[i] === ")") depth--;
    }
    const open = source.indexOf("{", i);
    if (open === -1) continue;
    let end = open + 1;
    for (let depth = 1; depth > 0 && end < source.length; end++) {
      if (source[end] === "{") depth++;
      else if (source[end] === "}") depth--;
    }
    lengths.push(source.slice(match.index, end).split("\n").length);
  }
  return lengths;
}

/** Files in constructs/ and stacks/ over MAX_FILE_LINES lines, and constructors there over MAX_CONSTRUCTOR_LINES. */
export function sizeViolations(files: ReadonlyArray<{ path: string; source: string }>): string[] {
  const found: string[] = [];
  for (const { path, source } of files) {
    if (!/^(constructs|stacks)\//.test(path)) continue;
    const lines = source.split("\n").length - (source.endsWith("\n") ? 1 : 0);
    if (lines > MAX_FILE_LINES) found.push(`${path}: ${lines} lines (at most ${MAX_FILE_LINES}); split it by concern`);
    for (const length of constructorLengths(source)) {
      if (length > MAX_CONSTRUCTOR_LINES) found.push(`${path}: a constructor of ${length} lines (at most ${MAX_CONSTRUCTOR_LINES}); move parts into functions or methods`);
    }
  }
  return found;
}

const repositoryFiles = () => sourceFiles(ROOT).map((file) => ({ path: relative(ROOT, file).split("\\").join("/"), source: readFileSync(file, "utf8") }));

describe("import rules", () => {
  // Fixture specifiers are assembled at run time so this file does not trip its own rule.
  const google = ["@cdktf", "provider-google"].join("/");
  const docker = ["@cdktf", "provider-docker"].join("/");
  const framework = ["cd", "ktf"].join("");

  it("the scanner catches barrel imports and direct cdktf imports", () => {
    const bad = [
      { path: "constructs/x.ts", source: `import { CloudRunV2Service } from "${google}";` },
      { path: "constructs/y.ts", source: `import * as docker from '${docker}'` },
      { path: "stacks/z.ts", source: `import { App } from "${framework}";\nconst m = require("${framework}/lib/testing");` },
    ];
    expect(violations(bad)).toHaveLength(4);
    const good = [
      { path: "constructs/x.ts", source: `import { CloudRunV2Service } from "${google}/lib/cloud-run-v2-service";` },
      { path: "lib/cdktf.ts", source: `export * from "${framework}";` },
    ];
    expect(violations(good)).toEqual([]);
  });

  it("holds for every source file in the repository", () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(10);
    expect(violations(files)).toEqual([]);
  });
});

describe("layers", () => {
  it("the scanner catches imports that go up a floor, and only those", () => {
    const bad = [
      { path: "lib/x.ts", source: `import { Network } from "../constructs/network";` },
      { path: "lib/y.ts", source: `import type { EnvironmentConfig } from "../environments";` },
      { path: "policies/rules/z.ts", source: `import { EnvironmentStack } from "../../stacks/environment-stack";` },
      { path: "constructs/edge/index.ts", source: `import { edgeSchema } from "../../environments/edge";` },
      { path: "constructs/a.test.ts", source: `import { BASE_SERVICE } from "../environments/schema";` },
      { path: "contract/routes.ts", source: `import { resourceName } from "../lib/google";` },
      { path: "lib/cloud-run.ts", source: `import { CONTAINER_PORT } from "../contract";` },
      { path: "app/config.ts", source: `import { LOCAL_WORKER } from "../environments/local";` },
      { path: "app/entrypoints/services.ts", source: `import { AppService } from "../../constructs/app-service";` },
      { path: "loadtests/bench/app.ts", source: `import { isolate } from "../../app/test/support/isolation";` },
      { path: "loadtests/local/x.test.ts", source: `const { eventually } = await import("../../app/test/support/roles");` },
      { path: "scripts/screenshots.ts", source: `import { launchChromium } from "../app/test/support/browser";` },
    ];
    expect(layerViolations(bad)).toHaveLength(12);
    const good = [
      { path: "lib/x.ts", source: `import { Construct } from "./cdktf";\nimport { z } from "zod";` },
      { path: "contract/index.ts", source: `export * from "./roles";` },
      { path: "policies/pack.ts", source: `import { Aspects } from "../lib/cdktf";\nimport { rule } from "./model";` },
      { path: "constructs/edge/index.ts", source: `import { resourceName } from "../../lib/google";\nimport type { AppService } from "../app-service";` },
      { path: "stacks/environment-stack.ts", source: `import type { EnvironmentConfig } from "../environments/schema";` },
      { path: "app/config.ts", source: `import { TASK_TYPES } from "../contract";` },
      { path: "app/test/dashboard.test.ts", source: `import { isolate } from "./support/isolation";\nimport { launchChromium } from "../../test/support/browser";` },
      { path: "loadtests/bench/app.ts", source: `import { seedDatabase } from "../../app/adapters/postgres/seeder";\nimport { LocalSystem } from "../local/system";` },
      { path: "scripts/screenshots.ts", source: `import { launchChromium } from "../test/support/browser";` },
    ];
    expect(layerViolations(good)).toEqual([]);
  });

  it("hold for every source file in the repository", () => {
    expect(layerViolations(repositoryFiles())).toEqual([]);
  });
});

describe("size of constructs and stacks", () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `    this.x${i} = ${i};`).join("\n");
  const withConstructor = (bodyLines: number) => `export class A {\n  constructor(scope: Construct, props: P & { readonly s: { readonly t: string } }) {\n${lines(bodyLines)}\n  }\n\n  method() {\n    return { a: 1 };\n  }\n}\n`;

  it("the scanner measures constructors by brace matching, parameters with braces included", () => {
    expect(constructorLengths(withConstructor(10))).toEqual([12]);
    expect(constructorLengths("class A {}")).toEqual([]);
    expect(sizeViolations([{ path: "constructs/a.ts", source: withConstructor(79) }])).toEqual([expect.stringContaining("a constructor of 81 lines")]);
    expect(sizeViolations([{ path: "constructs/a.ts", source: withConstructor(78) }])).toEqual([]);
    expect(sizeViolations([{ path: "stacks/b.ts", source: "const a = 1;\n".repeat(251) }])).toEqual([expect.stringContaining("251 lines")]);
    expect(sizeViolations([{ path: "environments/c.ts", source: "const a = 1;\n".repeat(400) }])).toEqual([]);
  });

  /**
   * Files allowed past a limit for now, each with the reason. An entry that is no longer needed
   * fails the test, so none outlives its reason.
   */
  const EXCEPTIONS: Readonly<Record<string, string>> = {};

  it("holds for every file in constructs/ and stacks/", () => {
    const found = sizeViolations(repositoryFiles());
    expect(found.filter((violation) => !(violation.split(":")[0]! in EXCEPTIONS))).toEqual([]);
    for (const path of Object.keys(EXCEPTIONS)) expect(found.some((violation) => violation.startsWith(`${path}:`)), `${path} complies now: remove its exception`).toBe(true);
  });
});
