/**
 * cdktf's `Testing.app()` makes a temporary output directory per call and never removes it; a
 * test run creates hundreds. Remove the ones this run created when it ends.
 */
import { readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const startedAt = Date.now();
  return () => {
    for (const entry of readdirSync(tmpdir())) {
      if (!entry.startsWith("cdktf.outdir.")) continue;
      const path = join(tmpdir(), entry);
      if (statSync(path).mtimeMs >= startedAt) rmSync(path, { recursive: true, force: true });
    }
  };
}
