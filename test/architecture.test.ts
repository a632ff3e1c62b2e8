/**
 * Architecture rules that keep synth fast and the cdktf dependency swappable:
 * - only lib/cdktf.ts imports `cdktf` (a move to the community fork is a one-file change);
 * - provider classes are imported by deep path, never through the package barrel, which loads
 *   ~1,470 modules and costs seconds per synth.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
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
    const files = sourceFiles(ROOT).map((file) => ({ path: relative(ROOT, file), source: readFileSync(file, "utf8") }));
    expect(files.length).toBeGreaterThan(10);
    expect(violations(files)).toEqual([]);
  });
});
