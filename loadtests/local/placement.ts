/**
 * Where each process of a local experiment runs on the machine's cores. On a small machine the
 * load generator competes with the system it measures, so the placement is deliberate:
 *
 * - the load generator (the experiment's own process, single-threaded) on CPU 0;
 * - api instance i on CPU (n - 1 - i) mod n: one process per core, as one Cloud Run instance per
 *   vCPU; the first instance gets a core the generator does not use. Worker instances likewise;
 * - the dispatcher and realtime roles, and PostgreSQL and Redis (not started by the run), on any
 *   core, left to the kernel's scheduler.
 *
 * The generator's event loop also runs at a higher scheduling priority (nice -10, when the run may
 * raise it) so that nothing else on its core (other processes on a shared machine included) delays
 * its sends: on its own machine, as in a cloud run, it would not wait for CPU either. It only
 * takes the CPU it uses, which the report shows.
 *
 * Pinning uses taskset (util-linux); without it, or with `--no-pin`, nothing is pinned and the
 * report says so.
 */
import { execFileSync } from "node:child_process";
import { cpus, setPriority } from "node:os";
import { onPath } from "../experiment/preflight";

export interface CpuPlacement {
  /** CPU of the load generator. */
  readonly generator: string;
  /** CPU of instance i of a scaled role (api, worker): cycling through this list. */
  readonly instances: readonly string[];
  /** Every CPU, for the roles left to the scheduler. */
  readonly any: string;
}

/** The placement for a machine with `cores` CPUs, or undefined for one core. */
export function planPlacement(cores: number): CpuPlacement | undefined {
  if (cores < 2) return undefined;
  return {
    generator: "0",
    instances: Array.from({ length: cores }, (_, i) => String((cores - 1 - i + cores) % cores)),
    any: `0-${cores - 1}`,
  };
}

/** The CPU of instance `i` of a scaled role. */
export const instanceCpu = (placement: CpuPlacement, i: number) => placement.instances[i % placement.instances.length]!;

/** The placement for this machine when pinning is wanted and possible. */
export function localPlacement(pin: boolean): CpuPlacement | undefined {
  return pin && process.platform === "linux" && onPath("taskset") ? planPlacement(cpus().length) : undefined;
}

/** The generator's niceness when the run may raise its priority. */
export const GENERATOR_NICE = -10;

/** Pins this process (every thread) to the generator's CPU and raises its event loop's priority; returns the niceness it got. */
export function pinGenerator(placement: CpuPlacement): number {
  execFileSync("taskset", ["-a", "-p", "-c", placement.generator, String(process.pid)], { stdio: "ignore" });
  try {
    setPriority(GENERATOR_NICE); // the calling thread: the event loop that sends on schedule
    return GENERATOR_NICE;
  } catch {
    return 0; // not permitted (not root, no CAP_SYS_NICE): it runs at the normal priority
  }
}

/** How the run was placed, for the report. */
export function describePlacement(placement: CpuPlacement | undefined, counts: { api: number; worker: number }, generatorNice = 0): string {
  if (!placement) return "not pinned: every process (load generator, api, worker, dispatcher, realtime, PostgreSQL, Redis) on any core, as the kernel schedules them";
  const list = (n: number) => Array.from({ length: n }, (_, i) => `CPU ${instanceCpu(placement, i)}`).join(", ");
  return `load generator on CPU ${placement.generator}${generatorNice < 0 ? ` at nice ${generatorNice}` : ""}; api instance(s) on ${list(counts.api)}; worker instance(s) on ${list(counts.worker)}; dispatcher, realtime, PostgreSQL and Redis on any core (taskset)`;
}
