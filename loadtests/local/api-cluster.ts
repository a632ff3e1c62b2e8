/**
 * Runs N api processes behind one port: the local counterpart of N Cloud Run instances behind a
 * load balancer. Node's cluster module shares the listening socket and spreads connections
 * round-robin, so there is no extra proxy hop.
 *
 *   node --import tsx loadtests/local/api-cluster.ts <instances> <bundle|main.ts> [role]
 *
 * Like Cloud Run, it replaces an instance that exits without being asked to: one that crashed
 * (killed, or a non-zero exit) and one that stopped cleanly (a rolling restart sends SIGTERM to
 * each in turn). A crash loop still fails loudly: the MAX_CRASHES + 1st crash within CRASH_WINDOW_MS
 * stops the cluster with exit code 1, naming the instance and how it ended. SIGTERM or SIGINT to
 * this process stops every instance (each drains) and exits 0.
 */
import cluster, { type Worker } from "node:cluster";

/** Crashes tolerated per window before the cluster gives up (a bad release or config crashes every start). */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;

const instances = Number(process.argv[2]);
const bundle = process.argv[3];
const role = process.argv[4] ?? "api";
if (!Number.isInteger(instances) || instances < 1 || !bundle) {
  console.error("usage: api-cluster.ts <instances> <bundle|main.ts> [role]");
  process.exit(2);
}

// Workers run the bundle with plain node (no tsx), like the container does; sources need tsx.
cluster.setupPrimary({ exec: bundle, args: [role], execArgv: bundle.endsWith(".ts") ? ["--import", "tsx"] : [] });

/** The cluster's own lines, in the roles' log format (JSON lines Cloud Logging reads), on stderr. */
function log(severity: "INFO" | "WARNING" | "ERROR", message: string): void {
  console.error(JSON.stringify({ severity, message, role: `${role}-cluster`, time: new Date().toISOString() }));
}

function start(): void {
  const worker = cluster.fork();
  worker.once("online", () => log("INFO", `${role} instance ${worker.process.pid} started`));
  // Serving from now on: a replacement is back once this line appears.
  worker.once("listening", () => log("INFO", `${role} instance ${worker.process.pid} listening`));
}
for (let i = 0; i < instances; i++) start();

let stopping = false;
let exitCode = 0;
const crashes: number[] = [];

function describeExit(worker: Worker, code: number | null, signal: string | null): string {
  return `${role} instance ${worker.process.pid} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
}

cluster.on("exit", (worker, code, signal) => {
  if (stopping) {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
    return;
  }
  const how = describeExit(worker, code, signal);
  if (code === 0 && !signal) {
    log("INFO", `${how} (stopped cleanly); starting a replacement`);
    return start();
  }
  const now = Date.now();
  crashes.push(now);
  while (crashes[0]! < now - CRASH_WINDOW_MS) crashes.shift();
  if (crashes.length > MAX_CRASHES) {
    log("ERROR", `${how}: ${crashes.length} crashes within ${CRASH_WINDOW_MS / 1000} s, a crash loop; stopping the cluster (see the instances' output above)`);
    stop("SIGTERM", 1);
    return;
  }
  log("WARNING", `${how}; starting a replacement (crash ${crashes.length} of ${MAX_CRASHES} tolerated within ${CRASH_WINDOW_MS / 1000} s)`);
  start();
});

function stop(signal: NodeJS.Signals, code = 0): void {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGTERM"));
