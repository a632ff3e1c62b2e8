/** Runs one HTTP scenario with k6 (closed stages, or the knee search step by step) and reads its results back in the shared format. */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { bundleK6Script } from "../k6/bundle";
import { KneeSearch } from "../knee";
import { kneeOf } from "../node/arrival-runner";
import type { LoadUser } from "../requests";
import type { ArrivalStepResult, HttpScenarioResult, OpenModelResult, OpenTimelinePoint } from "../results";
import type { HttpScenario } from "../scenarios";
import type { ExperimentContext } from "./context";
import { stageAt, stageEnds } from "../k6/plan";
import { tailK6Csv, type K6Second } from "../live/k6-tail";
import { k6OpenTimeline, k6Timeline } from "./k6-csv";

/** CPU seconds a running process has used so far (Linux /proc), for the generator report. */
async function cpuSecondsOf(pid: number): Promise<number | undefined> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (100/s)
  } catch {
    return undefined;
  }
}

interface K6Run {
  readonly code: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

/**
 * Runs k6 (`--quiet`, CSV output in `args`): its progress is read from the CSV while it grows, one
 * summary per second to `onSecond` (the progress line and the live view), and whatever k6 prints
 * (warnings, errors, the summary line) goes to the log rather than being lost.
 */
async function spawnK6(args: string[], csvFile: string, ctx: ExperimentContext, onSecond: (second: K6Second) => void): Promise<K6Run> {
  const started = performance.now();
  const child = spawn("k6", args, { stdio: ["ignore", "pipe", "pipe"] });
  const tail = tailK6Csv(csvFile, onSecond);
  let cpuSeconds = 0;
  const sampler = setInterval(() => void cpuSecondsOf(child.pid!).then((s) => (cpuSeconds = s ?? cpuSeconds)), 1000);
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (raw) => {
      const line = raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").trim();
      if (line) ctx.log(`k6: ${line}`);
    });
  }
  const code = await new Promise<number>((resolve, reject) => {
    child.once("error", () => reject(new Error("k6 is not installed: see https://grafana.com/docs/k6/latest/set-up/install-k6/")));
    child.once("exit", (c) => resolve(c ?? 1));
  });
  clearInterval(sampler);
  await tail.stop();
  return { code, wallSeconds: (performance.now() - started) / 1000, cpuSeconds };
}

/** The closed model (the profile's VU stages) with k6. */
export async function runK6(scenario: HttpScenario, baseUrl: string, fixtures: readonly LoadUser[], ctx: ExperimentContext, tag: string): Promise<HttpScenarioResult> {
  const script = await bundleK6Script(join(ctx.outDir, "raw", "k6-script.js"));
  const fixturesFile = join(ctx.outDir, "raw", `k6-fixtures-${tag}.json`);
  const resultFile = join(ctx.outDir, "raw", `k6-${tag}.json`);
  const csvFile = join(ctx.outDir, "raw", `k6-${tag}.csv`);
  await writeFile(fixturesFile, JSON.stringify({ users: fixtures }));
  const startedAtMs = Date.now();
  const ends = stageEnds(scenario);
  let firstSecond: number | undefined;
  const run = await spawnK6(
    ["run", "--quiet", "--out", `csv=${csvFile}`, "-e", `SCENARIO=${scenario.name}`, "-e", `PROFILE=${ctx.options.profile}`, "-e", `BASE_URL=${baseUrl}`, "-e", `FIXTURES=${fixturesFile}`, "-e", `RESULT_FILE=${resultFile}`, script],
    csvFile,
    ctx,
    (second) => {
      firstSecond ??= second.timestamp;
      const stage = stageAt(ends, second.timestamp - firstSecond);
      ctx.progress({ scenario: scenario.name, stage: stage + 1, stages: scenario.stages.length, vus: scenario.stages[stage]!.vus, rps: second.requests, p50: second.p50, p95: second.p95, p99: second.p99, errors: second.errors });
    },
  );
  // 99 = thresholds crossed: the SLO verdict is in the results, not a failure to run.
  if (run.code !== 0 && run.code !== 99) throw new Error(`k6 exited with ${run.code} (its output is in the log above)`);
  const result = JSON.parse(await readFile(resultFile, "utf8")) as HttpScenarioResult;
  const timeline = await k6Timeline(csvFile, scenario);
  return {
    ...result,
    timeline,
    startedAtMs,
    peakRps: Math.max(0, ...timeline.map((p) => p.requests)),
    generator: { tool: "k6", wallSeconds: run.wallSeconds, cpuSeconds: run.cpuSeconds, cpuPercentOfOneCore: (run.cpuSeconds / run.wallSeconds) * 100, peakRssMb: 0 },
  };
}

/** One offered-rate step with k6 (ramping-arrival-rate held at `rps`), outside a search. */
export async function runK6Step(scenario: HttpScenario, baseUrl: string, fixtures: readonly LoadUser[], ctx: ExperimentContext, tag: string, rps: number): Promise<ArrivalStepResult> {
  const script = await bundleK6Script(join(ctx.outDir, "raw", "k6-script.js"));
  const fixturesFile = join(ctx.outDir, "raw", `k6-fixtures-${tag}.json`);
  await writeFile(fixturesFile, JSON.stringify({ users: fixtures }));
  return (await k6Step(script, scenario, baseUrl, fixturesFile, ctx, tag, rps, 0, 0)).step;
}

/** Arrivals offered by this process's k6 steps so far: the next step's users continue the round-robin from there. */
let arrivalOffset = 0;

async function k6Step(script: string, scenario: HttpScenario, baseUrl: string, fixturesFile: string, ctx: ExperimentContext, tag: string, rps: number, ladder: number, startedAt: number, seconds = scenario.open!.stepSeconds) {
  const resultFile = join(ctx.outDir, "raw", `k6-${tag}.json`);
  const csvFile = join(ctx.outDir, "raw", `k6-${tag}.csv`);
  const run = await spawnK6(
    ["run", "--quiet", "--out", `csv=${csvFile}`, "-e", "MODE=open", "-e", `RPS=${rps}`, "-e", `STEP_SECONDS=${seconds}`, "-e", `ARRIVAL_OFFSET=${arrivalOffset}`, "-e", `LADDER=${ladder}`, "-e", `STARTED_AT=${startedAt}`, "-e", `SCENARIO=${scenario.name}`, "-e", `PROFILE=${ctx.options.profile}`, "-e", `BASE_URL=${baseUrl}`, "-e", `FIXTURES=${fixturesFile}`, "-e", `RESULT_FILE=${resultFile}`, script],
    csvFile,
    ctx,
    (second) => ctx.progress({ scenario: scenario.name, targetRps: rps, achievedRps: second.requests - second.errors, p95: second.p95, errors: second.errors, inFlight: 0, step: ladder + 1, secondsLeftBound: 0 }),
  );
  if (run.code !== 0 && run.code !== 99) throw new Error(`k6 exited with ${run.code} (its output is in the log above)`);
  const step = JSON.parse(await readFile(resultFile, "utf8")) as ArrivalStepResult;
  arrivalOffset += step.offered;
  return { step: { ...step, generatorCpuShare: run.cpuSeconds / run.wallSeconds }, run, timeline: await k6OpenTimeline(csvFile, rps, startedAt) };
}

/**
 * The open model with k6: the same knee search as the Node runner (loadtests/knee.ts), one k6 run
 * (ramping-arrival-rate) per offered-rate step, each ladder stopping at its first broken step.
 */
export async function runK6KneeSearch(scenario: HttpScenario, baseUrl: string, fixtures: readonly LoadUser[], ctx: ExperimentContext, tag: string): Promise<OpenModelResult> {
  const search = scenario.open!;
  const script = await bundleK6Script(join(ctx.outDir, "raw", "k6-script.js"));
  const fixturesFile = join(ctx.outDir, "raw", `k6-fixtures-${tag}.json`);
  await writeFile(fixturesFile, JSON.stringify({ users: fixtures }));
  const kneeSearch = new KneeSearch(search);
  const steps: ArrivalStepResult[] = [];
  const timeline: OpenTimelinePoint[] = [];
  const startedAtMs = Date.now();
  const elapsed = () => (Date.now() - startedAtMs) / 1000;
  let cpuSeconds = 0;
  if (search.warmupSeconds > 0) await k6Step(script, scenario, baseUrl, fixturesFile, ctx, `${tag}-warmup`, search.startRps, 0, 0, search.warmupSeconds); // not measured
  for (let ladder = 0, rates = kneeSearch.next(); rates; ladder++, rates = kneeSearch.next()) {
    const ran: ArrivalStepResult[] = [];
    for (const rps of rates) {
      const startedAt = elapsed();
      ctx.eta.update((kneeSearch.remainingStepsBound() + rates.length - ran.length) * (search.stepSeconds + 5));
      const { step: withCpu, run, timeline: seconds } = await k6Step(script, scenario, baseUrl, fixturesFile, ctx, `${tag}-${steps.length + ran.length}`, rps, ladder, startedAt);
      cpuSeconds += run.cpuSeconds;
      ran.push(withCpu);
      timeline.push(...seconds);
      ctx.log(`${scenario.name}: ${rps.toLocaleString("en-US")} req/s ${withCpu.slo.ok ? "held" : `broke: ${withCpu.slo.reason}`}`);
      if (!withCpu.slo.ok) break;
    }
    steps.push(...ran);
    kneeSearch.record(ran.map((s) => ({ rps: s.rps, held: s.slo.ok })));
  }
  const wallSeconds = elapsed();
  const { knee, warnings } = kneeOf(steps, search);
  return {
    search,
    startedAtMs,
    steps,
    knee,
    timeline,
    generator: { tool: "k6", wallSeconds, cpuSeconds, cpuPercentOfOneCore: (cpuSeconds / wallSeconds) * 100, peakRssMb: 0 },
    warnings,
  };
}
