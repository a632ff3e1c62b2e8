/**
 * `npm run experiment -- [--env local|dev|staging|prod] [--profile smoke|quick|paper|capacity]
 *   [--scenarios read,mixed,async,resilience] [--repeat N] [--out DIR] [--speedup 1,2,4]
 *   [--api-instances N] [--base-url URL] [--no-deploy] [--no-cpu-quota] [--baseline DIR] [--help]`
 *
 * Reproduces the reference study's experiments and writes a report (summary.json, report.md,
 * report.html, figures, raw CSV) to --out (default results/<time>-<env>-<profile>). Exits 1 when
 * an SLO is broken or a task is lost or duplicated, 2 when it cannot run (bad options, a missing
 * tool or setting, a failed deploy), so CI can gate on it.
 */
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { argv, chalk } from "zx";
import { formatProgress, liveProgress, type ExperimentContext, type ExperimentOutcome, type ProgressEvent } from "../loadtests/experiment/context";
import { machineInfo, versions } from "../loadtests/experiment/environment-info";
import { clock, Eta, plannedWork } from "../loadtests/experiment/eta";
import { EXPERIMENT_USAGE, OptionsError, parseOptions, wantsHelp, type ExperimentOptions } from "../loadtests/experiment/options";
import { ExperimentError } from "../loadtests/errors";
import { runCloud } from "../loadtests/experiment/run-cloud";
import { defaultApiInstances, runLocal, speedupCounts } from "../loadtests/experiment/run-local";
import { writeReport } from "../loadtests/report/write-report";
import { startLiveView } from "../loadtests/live/live-view";
import { sampleFromProgress, statusFromProgress } from "../loadtests/live/progress-feed";
import { estimateScenario, failures, type Summary } from "../loadtests/results";
import { summaryLines } from "../loadtests/report/summary-lines";
import { SLO } from "../loadtests/slo";
import { LOCAL_FAULTS, plannedSeconds as resilienceSeconds } from "../loadtests/resilience/faults";
import { resilienceFailures } from "../loadtests/resilience/verdict";
import { PROFILES } from "../loadtests/scenarios";

/** Leaves no empty report directory behind a run that stopped before writing anything. */
async function removeIfEmpty(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  if (entries.every((entry) => entry.isDirectory())) await rm(dir, { recursive: true, force: true });
}

function defaultOutDir(options: ExperimentOptions): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  return join("results", `${stamp}-${options.env}-${options.profile}`);
}

function summarize(options: ExperimentOptions, outcome: ExperimentOutcome, startedAt: Date, loadAtStart: readonly number[]): Summary {
  const first = outcome.runs[0] ?? [];
  const confidence = outcome.runs.length > 1 ? first.map((_, i) => estimateScenario(outcome.runs.map((run) => run[i]!))) : undefined;
  const problems = [
    ...outcome.runs.flatMap((run, i) => failures(run).map((f) => (outcome.runs.length > 1 ? `run ${i + 1}: ${f}` : f))),
    ...resilienceFailures(outcome.resilience),
  ];
  return {
    environment: options.env,
    profile: options.profile,
    baseUrl: outcome.baseUrl,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    capacity: outcome.capacity,
    ...(outcome.placement ? { placement: outcome.placement } : {}),
    machine: machineInfo(loadAtStart),
    versions: versions(outcome.versions),
    scenarios: first,
    runs: outcome.runs,
    ...(confidence ? { confidence } : {}),
    ...(outcome.speedup ? { speedup: outcome.speedup } : {}),
    ...(outcome.monitoring ? { monitoring: outcome.monitoring } : {}),
    ...(outcome.resilience ? { resilience: outcome.resilience } : {}),
    verdict: { ok: problems.length === 0, failures: problems },
  };
}

async function main(): Promise<number> {
  if (wantsHelp(argv)) {
    console.log(EXPERIMENT_USAGE);
    return 0;
  }
  let options: ExperimentOptions;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    console.error(`experiment: ${error.message} (see --help)`);
    return 2;
  }
  const outDir = resolve(options.out ?? defaultOutDir(options));
  let baseline: Summary | undefined;
  if (options.baseline) {
    const file = join(resolve(options.baseline), "summary.json");
    try {
      baseline = JSON.parse(await readFile(file, "utf8")) as Summary;
    } catch (error) {
      console.error(`experiment: --baseline: cannot read ${file} (${(error as Error).message}); give the directory of an earlier run's report (see --help)`);
      return 2;
    }
  }
  await mkdir(join(outDir, "raw"), { recursive: true });

  const cleanups: Array<() => Promise<void>> = [];
  const runCleanups = async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch((error: unknown) => console.error(chalk.yellow(`cleanup: ${String(error)}`)));
  };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.error(chalk.yellow(`\n${signal}: stopping everything this run started...`));
    void runCleanups().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  // The live view: a local page fed by the same progress events as the terminal (loadtests/live/).
  const live = await startLiveView({ title: `valorize experiment: ${options.env}, ${options.profile} profile, ${options.scenarios.join(", ")}`, sloP95Ms: SLO.p95Ms });
  const tty = process.stdout.isTTY;
  let lastProgress = 0;
  const local = options.env === "local" && !options.baseUrl;
  const eta = new Eta([
    ...plannedWork(options, local ? (speedupCounts({ options }) ?? []) : (options.speedup ?? []), local ? (options.apiInstances ?? defaultApiInstances({ options })) : undefined),
    ...(options.resilience ? [{ key: "resilience", seconds: resilienceSeconds(LOCAL_FAULTS, PROFILES[options.profile].resilience) }] : []),
  ]);
  const timing = () => `[${clock(eta.elapsedSeconds())} elapsed, ~${clock(eta.remainingSeconds())} left]`;
  const ctx: ExperimentContext = {
    options,
    outDir,
    eta,
    log: (line) => {
      console.log(`${tty ? "\r\x1b[K" : ""}${chalk.dim(new Date().toISOString().slice(11, 19))} ${line}`);
      live.status({ text: line, etaAt: Date.now() + eta.remainingSeconds() * 1000 });
    },
    progress: (event: ProgressEvent) => {
      if ("secondsLeftBound" in event && event.secondsLeftBound > 0) eta.update(event.secondsLeftBound);
      const feed = liveProgress(event, Date.now() + eta.remainingSeconds() * 1000);
      live.sample(sampleFromProgress(feed));
      live.status(statusFromProgress(feed));
      const line = `${timing()} ${formatProgress(event)}`;
      // On a terminal: one line rewritten in place; in CI logs: at most one line every 5 s.
      if (tty) process.stdout.write(`\r\x1b[K${chalk.cyan(line.slice(0, (process.stdout.columns || 200) - 1))}`);
      else if (Date.now() - lastProgress > 5000) {
        lastProgress = Date.now();
        console.log(line);
      }
    },
    cleanup: (step) => cleanups.push(step),
  };

  const startedAt = new Date();
  const loadAtStart = loadavg();
  console.log(`live view: ${chalk.bold(live.url)}`);
  ctx.log(`experiment: env ${options.env}, profile ${options.profile}, scenarios ${[...options.scenarios, ...(options.resilience ? ["resilience"] : [])].join(", ")}${options.repeat > 1 ? `, ${options.repeat} runs` : ""} -> ${outDir} (planned at most ~${clock(eta.remainingSeconds())})`);
  eta.start("setup");
  let summary: Summary;
  try {
    const outcome = options.env === "local" ? await runLocal(ctx) : await runCloud(ctx);
    summary = summarize(options, outcome, startedAt, loadAtStart);
  } catch (error) {
    await removeIfEmpty(outDir);
    throw error;
  } finally {
    await runCleanups();
  }
  const files = await writeReport(summary, outDir, baseline);
  if (tty) process.stdout.write("\r\x1b[K");
  for (const line of summaryLines(summary)) console.log(line);
  console.log(`report: ${join(outDir, "report.html")} (${files.length} files, ${clock(eta.elapsedSeconds())} in all)`);
  live.status({ text: `finished: ${summary.verdict.ok ? "all SLOs held; no task lost or duplicated" : `SLO verdict FAILED (${summary.verdict.failures.join("; ")})`}; report in ${outDir}`, done: true });
  await live.close();
  if (!summary.verdict.ok) {
    console.log(chalk.red(`SLO verdict: FAILED\n${summary.verdict.failures.map((f) => `  - ${f}`).join("\n")}`));
    return 1;
  }
  console.log(chalk.green(`SLO verdict: all SLOs held; no task lost or duplicated${summary.resilience ? `; every resilience verdict held (${summary.resilience.faults.length} faults)` : ""}`));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Something the operator can fix gets its message; anything else is a bug and gets its stack.
    if (error instanceof ExperimentError) {
      console.error(chalk.red(`experiment: ${error.message}`));
      process.exit(2);
    }
    console.error(chalk.red(`experiment failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
    process.exit(1);
  },
);
