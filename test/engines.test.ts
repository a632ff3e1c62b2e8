/**
 * The README promises Node >= the `engines.node` floor of package.json. Every installed package
 * must accept that floor, or `npm ci` warns EBADENGINE and the package may use APIs the floor
 * lacks (cookie 2, pulled in by fastify's light-my-request 6.7+, requires Node 22: pinned to
 * light-my-request 6.6.0 through `overrides`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..");
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; dev?: boolean; optional?: boolean }>;
};

describe("Node engines", () => {
  const floor = semver.minVersion(manifest.engines.node)!.version;

  it("states a floor the README repeats", () => {
    expect(floor).toBe("20.19.0");
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("Node.js >= 20.19");
  });

  it("installs no package whose engines exclude that floor (npm ci would warn EBADENGINE)", () => {
    const excluded = Object.entries(lock.packages)
      // What `npm ci` installed: optional platform builds it skipped are not on disk.
      .filter(([path]) => path !== "" && existsSync(join(ROOT, path)))
      .flatMap(([path, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return range && !semver.satisfies(floor, range) ? [`${path.replace(/^node_modules\//, "")}@${entry.version} needs node ${range}`] : [];
      });
    expect(excluded).toEqual([]);
  });
});
