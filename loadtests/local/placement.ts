/**
 * How the processes of a local experiment share the machine's cores. On a small machine the load
 * generator competes with the system it measures, so this is deliberate:
 *
 * - every process may run on any core: nothing is pinned. Pinning was tried and measured worse (a
 *   process pinned to a core shared with others waits for it instead of taking a free one: the
 *   read knee fell from ~10,000 to ~4,000 req/s on this project's 2-core machine);
 * - each api and worker instance is held to 1 vCPU by a CPU quota, as Cloud Run holds an instance
 *   with cpu=1: the kernel's CFS bandwidth control (a cgroup with cpu.cfs_quota_us = period on
 *   cgroup v1, cpu.max "100000 100000" on v2) lets its threads run on any core but for at most one
 *   CPU-second per second in all. So "per vCPU" means per instance, however its threads spread;
 * - the load generator (the experiment's own process), the dispatcher, realtime, PostgreSQL and
 *   Redis are not limited; the generator measures and reports its own CPU.
 *
 * The quota needs a writable cgroup cpu controller (root, or a delegated cgroup); without one, or
 * with `--no-cpu-quota`, instances run unlimited and the report says so.
 *
 * The benchmarks (loadtests/bench) pin on purpose (`onCores`, `pinProcess`): the app bench compares
 * the api with a bare node:http server on the same single core, with the load generator on the
 * other, so that both sides of its ratio get exactly one core.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** CFS bandwidth period: the quota is this many microseconds per vCPU per period. */
export const CFS_PERIOD_US = 100_000;

/** A writable cgroup cpu controller: v1 (cpu.cfs_quota_us) or v2 (cpu.max). */
export interface CgroupCpu {
  readonly version: 1 | 2;
  /** Directory under which the run creates one cgroup per instance. */
  readonly root: string;
}

/** The files to write to give a cgroup `vcpus` of CPU time, per cgroup version. */
export function quotaFiles(version: 1 | 2, vcpus: number): Record<string, string> {
  const quota = String(Math.round(vcpus * CFS_PERIOD_US));
  return version === 1 ? { "cpu.cfs_period_us": String(CFS_PERIOD_US), "cpu.cfs_quota_us": quota } : { "cpu.max": `${quota} ${CFS_PERIOD_US}` };
}

function writable(dir: string): boolean {
  try {
    const probe = join(dir, `valorize-probe-${process.pid}`);
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** The machine's writable cgroup cpu controller, if any (v2 first, then v1's cpu hierarchy). */
export function detectCgroupCpu(base = "/sys/fs/cgroup"): CgroupCpu | undefined {
  try {
    if (readFileSync(join(base, "cgroup.controllers"), "utf8").split(/\s+/).includes("cpu") && writable(base)) {
      writeFileSync(join(base, "cgroup.subtree_control"), "+cpu");
      return { version: 2, root: base };
    }
  } catch {
    // not a cgroup v2 root with the cpu controller
  }
  const v1 = join(base, "cpu");
  if (existsSync(join(v1, "cpu.cfs_quota_us")) && writable(v1)) return { version: 1, root: v1 };
  return undefined;
}

/**
 * The command that runs `command args` held to `cores` (a taskset CPU list such as "0" or "0-1"),
 * or `command args` unchanged without cores. taskset execs the command, so the pid is the command's
 * own, and the processes it starts inherit the cores.
 */
export function onCores(cores: string | undefined, command: string, args: readonly string[]): { command: string; args: string[] } {
  return cores === undefined ? { command, args: [...args] } : { command: "taskset", args: ["-c", cores, command, ...args] };
}

/** Holds a running process (every thread of it) to `cores`; processes it starts afterwards inherit them. */
export function pinProcess(pid: number, cores: string): void {
  execFileSync("taskset", ["-a", "-p", "-c", cores, String(pid)], { stdio: "ignore" });
}

/** Processes whose parent is `pid` (from /proc). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** One cgroup per instance, named after the run, each holding one process to its quota; removed at the end. */
export class CpuQuotas {
  private readonly groups: string[] = [];

  constructor(
    private readonly cgroup: CgroupCpu,
    private readonly runId: string,
  ) {}

  /** Holds process `pid` (all its threads) to `vcpus` of CPU time. */
  limit(pid: number, name: string, vcpus = 1): void {
    const dir = join(this.cgroup.root, `valorize-exp-${this.runId}-${name}`);
    if (!existsSync(dir)) mkdirSync(dir);
    if (!this.groups.includes(dir)) this.groups.push(dir);
    for (const [file, value] of Object.entries(quotaFiles(this.cgroup.version, vcpus))) writeFileSync(join(dir, file), value);
    writeFileSync(join(dir, "cgroup.procs"), String(pid));
  }

  /** Removes the run's cgroups (their processes have exited by then; a busy one is left for the kernel to report). */
  removeAll(): void {
    for (const dir of this.groups.splice(0)) {
      try {
        rmdirSync(dir);
      } catch {
        // still has a process: leave it rather than fail the cleanup
      }
    }
  }
}

/** How the run was placed, for the report. */
export function describePlacement(cgroup: CgroupCpu | undefined, counts: { api: number; worker: number }): string {
  const roles = `${counts.api} api and ${counts.worker} worker instance(s)`;
  if (!cgroup) return `nothing pinned, no CPU quota: every process (load generator, ${roles}, dispatcher, realtime, PostgreSQL, Redis) on any core as the kernel schedules it`;
  return `nothing pinned; ${roles} each held to 1 vCPU by a CPU quota (cgroup v${cgroup.version} CFS bandwidth, as Cloud Run's cpu=1), free to run on any core; the load generator, dispatcher, realtime, PostgreSQL and Redis unlimited`;
}
