/**
 * `npm run bench:synth`: wall time of synthesizing every environment stack, next to a trivial
 * one-resource stack measured the same way in the same run (these machines are noisy, so the
 * ratio and the medians matter more than any single figure). Both run exactly like `npm run
 * synth`: node with tsx's CommonJS hook and V8's compile cache (warmed by an untimed first run).
 *
 *   npm run bench:synth -- [--runs 7]
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { $, argv } from "zx";
import { DEPLOY_SETTINGS_FIXTURE } from "../test/support/fixtures";

const TARGET_SECONDS = 1.5;

async function timeRun(entry: string, outdir: string): Promise<number> {
  const start = process.hrtime.bigint();
  // Staging and prod are synthesized only with their deploy settings: give them placeholder ones.
  const env = { ...process.env, ...DEPLOY_SETTINGS_FIXTURE.staging, ...DEPLOY_SETTINGS_FIXTURE.prod, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" };
  await $({ env, quiet: true })`node --require v8-compile-cache --require tsx/cjs ${entry}`;
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const runs = Number(argv.runs ?? 7);
  const outdir = mkdtempSync(join(tmpdir(), "bench-synth-"));
  try {
    // One untimed warm-up each, so tsx's transform cache is equally warm for both.
    await timeRun("scripts/bench/trivial-stack.ts", join(outdir, "trivial"));
    await timeRun("stacks/main.ts", join(outdir, "all"));
    const trivial: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Interleaved so that background noise hits both series alike.
      trivial.push(await timeRun("scripts/bench/trivial-stack.ts", join(outdir, "trivial")));
      all.push(await timeRun("stacks/main.ts", join(outdir, "all")));
    }
    const stacks = readdirSync(join(outdir, "all", "stacks"));
    const fmt = (xs: number[]) => `median ${median(xs).toFixed(2)} s (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`;
    console.log(`runs: ${runs}, stacks synthesized: ${stacks.join(", ")}`);
    console.log(`trivial stack (1 resource):  ${fmt(trivial)}`);
    console.log(`all environment stacks:      ${fmt(all)}`);
    console.log(`ratio all / trivial:         ${(median(all) / median(trivial)).toFixed(2)}x`);
    const verdict = median(all) < TARGET_SECONDS ? "meets" : "MISSES";
    console.log(`target < ${TARGET_SECONDS} s wall: ${verdict} (median ${median(all).toFixed(2)} s)`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
