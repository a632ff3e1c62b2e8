/**
 * Which cdktf CLI command is running this app, if any. The CLI runs the app as a child process
 * (`cdktf.json` "app") and passes neither the command nor the stack names on, so the app reads
 * them off its ancestors' command lines. Best effort: `ps` answers on Linux and macOS; anywhere it
 * does not, the app simply does not know (and callers carry on as for a plain synth).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface CdktfInvocation {
  /** The CLI's process id. */
  readonly pid: number;
  /** `deploy`, `diff`, `destroy`, `synth`... */
  readonly command: string;
  /** Stack names given on the command line (none: the CLI picks the only stack, or asks). */
  readonly stacks: readonly string[];
}

/** Flags of `cdktf deploy|diff|destroy` that take a value, so their value is not a stack name. */
const FLAGS_WITH_VALUES = new Set(["--app", "-a", "--output", "-o", "--outputs-file", "--parallelism", "--var", "--var-file", "--target", "--refresh-only"]);

/** Reads `cdktf <command> [stacks...] [flags]` out of one process's argument vector. */
export function parseCdktfArgs(args: readonly string[]): Omit<CdktfInvocation, "pid"> | undefined {
  const bin = args.findIndex((arg) => /(^|[/\\])cdktf(\.js|\.cmd)?$/.test(arg));
  if (bin < 0 || bin + 1 >= args.length) return undefined;
  const command = args[bin + 1]!;
  if (command.startsWith("-")) return undefined;
  const stacks: string[] = [];
  for (let i = bin + 2; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    if (arg.startsWith("-")) {
      if (FLAGS_WITH_VALUES.has(arg)) i++;
      continue;
    }
    stacks.push(arg);
  }
  return { command, stacks };
}

function processInfo(pid: number): { ppid: number; args: string[] } | undefined {
  try {
    // /proc keeps the argument boundaries; ps (macOS) joins them with spaces, which is enough here.
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    const ppid = Number(/^\d+ \(.*\) \S (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1]);
    return { ppid, args };
  } catch {
    try {
      const [ppid, ...args] = execFileSync("ps", ["-o", "ppid=", "-o", "args=", "-p", String(pid)], { encoding: "utf8", timeout: 2000 }).trim().split(/\s+/);
      return { ppid: Number(ppid), args };
    } catch {
      return undefined;
    }
  }
}

/** The nearest ancestor that is the cdktf CLI, within a few levels (npx, sh, node). */
export function findCdktfInvocation(from: number = process.ppid, levels = 6): CdktfInvocation | undefined {
  let pid = from;
  for (let level = 0; level < levels && pid > 1; level++) {
    const info = processInfo(pid);
    if (!info) return undefined;
    const parsed = parseCdktfArgs(info.args);
    if (parsed) return { pid, ...parsed };
    pid = info.ppid;
  }
  return undefined;
}

/**
 * The CLI's own environment where the OS lets us read it (Linux): the CLI drops `TF_VAR_*` from
 * what it passes the app, so this is the only way to see whether Terraform will get them.
 */
export function environmentOf(pid: number): Readonly<Record<string, string>> | undefined {
  try {
    const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
    return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
  } catch {
    return undefined;
  }
}
