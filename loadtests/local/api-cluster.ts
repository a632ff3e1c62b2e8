/**
 * Runs N api processes behind one port: the local counterpart of N Cloud Run instances behind a
 * load balancer. Node's cluster module shares the listening socket and spreads connections
 * round-robin, so there is no extra proxy hop. (The experiment runs N workers the same way.)
 *
 *   node --import tsx loadtests/local/api-cluster.ts <instances> <bundle> [role] [cpu,cpu,...]
 *
 * With a CPU list, instance i is pinned (taskset) to the i-th CPU of the list, cycling: one
 * process per core, as one instance per vCPU (see placement.ts).
 */
import { execFileSync } from "node:child_process";
import cluster from "node:cluster";

const instances = Number(process.argv[2]);
const bundle = process.argv[3];
const role = process.argv[4] ?? "api";
const cpus = process.argv[5]?.split(",").filter(Boolean) ?? [];
if (!Number.isInteger(instances) || instances < 1 || !bundle) {
  console.error("usage: api-cluster.ts <instances> <bundle> [role] [cpu,cpu,...]");
  process.exit(2);
}

// Workers run the bundle with plain node (no tsx), like the container does.
cluster.setupPrimary({ exec: bundle, args: [role], execArgv: [] });
for (let i = 0; i < instances; i++) {
  const worker = cluster.fork();
  const cpu = cpus[i % Math.max(1, cpus.length)];
  if (cpu !== undefined && worker.process.pid) execFileSync("taskset", ["-a", "-p", "-c", cpu, String(worker.process.pid)], { stdio: "ignore" });
}

let stopping = false;
cluster.on("exit", (worker, code) => {
  if (!stopping) {
    console.error(`${role} instance ${worker.process.pid} exited with ${code}; stopping the cluster`);
    stop("SIGTERM");
  } else if (Object.keys(cluster.workers ?? {}).length === 0) {
    process.exit(0);
  }
});

function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
}

process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGTERM"));
