import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { childrenOf, CpuQuotas, describePlacement, detectCgroupCpu, onCores, pinProcess, quotaFiles } from "./placement";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A directory shaped like a cgroup cpu controller (plain files: what the code writes is checked, not enforced). */
function fakeCgroup(version: 1 | 2): string {
  const base = mkdtempSync(join(tmpdir(), "cgroup-"));
  dirs.push(base);
  if (version === 2) {
    writeFileSync(join(base, "cgroup.controllers"), "cpuset cpu io memory pids\n");
    writeFileSync(join(base, "cgroup.subtree_control"), "");
  } else {
    mkdirSync(join(base, "cpu"));
    writeFileSync(join(base, "cpu", "cpu.cfs_quota_us"), "-1\n");
  }
  return base;
}

describe("CPU quota per instance (Cloud Run's 1 vCPU)", () => {
  it("gives one vCPU as a full CFS period of quota, on cgroup v1 and v2", () => {
    expect(quotaFiles(1, 1)).toEqual({ "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "100000" });
    expect(quotaFiles(2, 1)).toEqual({ "cpu.max": "100000 100000" });
    expect(quotaFiles(2, 0.5)).toEqual({ "cpu.max": "50000 100000" });
  });

  it("finds a writable cpu controller, v2 first, else v1's cpu hierarchy, else none", () => {
    const v2 = fakeCgroup(2);
    expect(detectCgroupCpu(v2)).toEqual({ version: 2, root: v2 });
    expect(readFileSync(join(v2, "cgroup.subtree_control"), "utf8")).toBe("+cpu");
    const v1 = fakeCgroup(1);
    expect(detectCgroupCpu(v1)).toEqual({ version: 1, root: join(v1, "cpu") });
    expect(detectCgroupCpu(join(tmpdir(), "no-such-cgroup-root"))).toBeUndefined();
  });

  it("puts each instance in a cgroup of its own, named after the run, and removes them at the end", () => {
    const v1 = fakeCgroup(1);
    const quotas = new CpuQuotas({ version: 1, root: join(v1, "cpu") }, "run42");
    quotas.limit(1234, "api-0");
    quotas.limit(1235, "api-1");
    const group = join(v1, "cpu", "valorize-exp-run42-api-0");
    expect(readFileSync(join(group, "cpu.cfs_quota_us"), "utf8")).toBe("100000");
    expect(readFileSync(join(group, "cgroup.procs"), "utf8")).toBe("1234");
    // A real cgroup directory is empty once its processes are gone; these fake ones hold files, so they stay.
    quotas.removeAll();
  });

  it("finds a launcher's instances among its child processes", () => {
    // This test process runs under vitest's runner: our parent lists us among its children.
    expect(childrenOf(process.ppid)).toContain(process.pid);
  });

  it("says in the report how the run shared the cores", () => {
    expect(describePlacement({ version: 1, root: "/sys/fs/cgroup/cpu" }, { api: 1, worker: 2 })).toBe(
      "nothing pinned; 1 api and 2 worker instance(s) each held to 1 vCPU by a CPU quota (cgroup v1 CFS bandwidth, as Cloud Run's cpu=1), free to run on any core; the load generator, dispatcher, realtime, PostgreSQL and Redis unlimited",
    );
    expect(describePlacement(undefined, { api: 1, worker: 1 })).toMatch(/^nothing pinned, no CPU quota/);
  });
});

/** The cores a process may run on, as the kernel reports them (e.g. "0" or "0-1"). */
const coresOf = (pid: number) => /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];

describe("pinning (the benchmarks': a role and the load generator on cores of their own)", () => {
  it("runs a command on the given cores through taskset, or as it is without cores", async () => {
    expect(onCores(undefined, "node", ["main.js", "api"])).toEqual({ command: "node", args: ["main.js", "api"] });
    const pinned = onCores("0", "sleep", ["30"]);
    expect(pinned).toEqual({ command: "taskset", args: ["-c", "0", "sleep", "30"] });
    const child = spawn(pinned.command, pinned.args, { stdio: "ignore" });
    try {
      // taskset execs the command: the pid is the command's own, held to core 0.
      await expect.poll(() => readFileSync(`/proc/${child.pid}/cmdline`, "utf8"), { timeout: 5_000 }).toBe("sleep\x0030\x00");
      expect(coresOf(child.pid!)).toBe("0");
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("pins a running process", () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      const all = coresOf(child.pid!)!; // inherited: every core this test may use
      pinProcess(child.pid!, "0");
      expect(coresOf(child.pid!)).toBe("0");
      pinProcess(child.pid!, all);
      expect(coresOf(child.pid!)).toBe(all);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
