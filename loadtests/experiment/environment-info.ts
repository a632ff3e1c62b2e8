/** What the report records about where and with what the experiment ran. */
import { execFileSync } from "node:child_process";
import { cpus, hostname, platform, arch, totalmem, release, loadavg } from "node:os";
import type { MachineInfo } from "../results";

/** The machine, and its load averages now and at `loadAtStart` (taken when the run started). */
export function machineInfo(loadAtStart?: readonly number[]): MachineInfo {
  const cores = cpus();
  return {
    hostname: hostname(),
    platform: `${platform()} ${release()} ${arch()}`,
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    memoryGb: totalmem() / 1024 ** 3,
    ...(loadAtStart ? { loadAverage: { atStart: loadAtStart.map((v) => Math.round(v * 100) / 100), atEnd: loadavg().map((v) => Math.round(v * 100) / 100) } } : {}),
  };
}

function tryRun(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

export function versions(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const pkg = require("../../package.json") as { version: string };
  const all: Record<string, string | undefined> = {
    node: process.version,
    valorize: pkg.version,
    commit: tryRun("git", ["rev-parse", "--short", "HEAD"]),
    postgres: undefined,
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
