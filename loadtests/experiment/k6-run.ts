/** Runs one HTTP scenario with k6 and reads its results back in the shared format. */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bundleK6Script } from "../k6/bundle";
import type { LoadUser } from "../requests";
import type { HttpScenarioResult } from "../results";
import type { HttpScenario } from "../scenarios";
import type { ExperimentContext } from "./context";
import { stageAt, stageEnds } from "../k6/plan";
import { tailK6Csv } from "../live/k6-tail";
import { k6Timeline } from "./k6-csv";

/** CPU seconds a running process has used so far (Linux /proc), for the generator report. */
async function cpuSecondsOf(pid: number): Promise<number | undefined> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (100/s)
  } catch {
    return undefined;
  }
}

export async function runK6(scenario: HttpScenario, baseUrl: string, fixtures: readonly LoadUser[], ctx: ExperimentContext, tag: string): Promise<HttpScenarioResult> {
  const script = await bundleK6Script(join(ctx.outDir, "raw", "k6-script.js"));
  const fixturesFile = join(ctx.outDir, "raw", `k6-fixtures-${tag}.json`);
  const resultFile = join(ctx.outDir, "raw", `k6-${tag}.json`);
  const csvFile = join(ctx.outDir, "raw", `k6-${tag}.csv`);
  await writeFile(fixturesFile, JSON.stringify({ users: fixtures }));
  const started = performance.now();
  const child = spawn("k6", ["run", "--quiet", "--out", `csv=${csvFile}`, "-e", `SCENARIO=${scenario.name}`, "-e", `PROFILE=${ctx.options.profile}`, "-e", `BASE_URL=${baseUrl}`, "-e", `FIXTURES=${fixturesFile}`, "-e", `RESULT_FILE=${resultFile}`, script], { stdio: "inherit" });
  // k6's CSV read while it grows: each second goes to the progress line and the live view.
  const ends = stageEnds(scenario);
  let firstSecond: number | undefined;
  const tail = tailK6Csv(csvFile, (second) => {
    firstSecond ??= second.timestamp;
    const stage = stageAt(ends, second.timestamp - firstSecond);
    const progress = { scenario: scenario.name, stage: stage + 1, stages: scenario.stages.length, vus: scenario.stages[stage]!.vus, rps: second.requests, p50: second.p50, p95: second.p95, p99: second.p99, errors: second.errors };
    ctx.progress(progress);
  });
  let cpuSeconds = 0;
  const sampler = setInterval(() => void cpuSecondsOf(child.pid!).then((s) => (cpuSeconds = s ?? cpuSeconds)), 1000);
  const code = await new Promise<number>((resolve, reject) => {
    child.once("error", () => reject(new Error("k6 is not installed: see https://grafana.com/docs/k6/latest/set-up/install-k6/")));
    child.once("exit", (c) => resolve(c ?? 1));
  });
  clearInterval(sampler);
  await tail.stop();
  // 99 = thresholds crossed: the SLO verdict is in the results, not a failure to run.
  if (code !== 0 && code !== 99) throw new Error(`k6 exited with ${code}`);
  const wallSeconds = (performance.now() - started) / 1000;
  const result = JSON.parse(await readFile(resultFile, "utf8")) as HttpScenarioResult;
  const timeline = await k6Timeline(csvFile, scenario);
  return {
    ...result,
    timeline,
    peakRps: Math.max(0, ...timeline.map((p) => p.requests)),
    generator: { tool: "k6", wallSeconds, cpuSeconds, cpuPercentOfOneCore: (cpuSeconds / wallSeconds) * 100, peakRssMb: 0 },
  };
}

