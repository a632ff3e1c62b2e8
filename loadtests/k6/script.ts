/**
 * The k6 script for the read and mixed scenarios (bundled by loadtests/k6/bundle.ts; the
 * experiment runs it against a deployed environment). It reads the same definitions as the Node
 * runner and writes the same results format.
 *
 * Closed model (the profile's VU stages):
 *   k6 run -e SCENARIO=read -e PROFILE=quick -e BASE_URL=https://... -e FIXTURES=fixtures.json \
 *          -e RESULT_FILE=read.json --out csv=read.csv dist/k6-script.js
 * Open model, one offered-rate step of the knee search per run (the experiment drives the search):
 *   ... -e MODE=open -e RPS=4000 -e STEP_SECONDS=8 -e LADDER=0 -e STARTED_AT=0 -e ARRIVAL_OFFSET=0 ...
 */
import { fail, sleep } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { kindFor, openArrival, registrationFor, requestFor, type LoadFixtures, type LoadUser } from "../requests";
import { scenarioFor, type HttpScenario, type ProfileName } from "../scenarios";
import { arrivalStepFromSummary, arrivalStepPlan, k6ArrivalOptions, k6Options, scenarioFromSummary, stageAt, stageEnds, type K6SummaryData } from "./plan";

const scenario = scenarioFor((__ENV.SCENARIO ?? "read") as "read" | "mixed", (__ENV.PROFILE ?? "quick") as ProfileName) as HttpScenario;
const baseUrl = (__ENV.BASE_URL ?? "").replace(/\/$/, "");
const fixtures: LoadFixtures = __ENV.FIXTURES ? JSON.parse(open(__ENV.FIXTURES)) : { users: [] };
const ends = stageEnds(scenario);
const openStep =
  __ENV.MODE === "open" && scenario.open ? arrivalStepPlan({ ...scenario.open, stepSeconds: Number(__ENV.STEP_SECONDS ?? scenario.open.stepSeconds) }, Number(__ENV.RPS)) : undefined;

export const options = openStep ? k6ArrivalOptions(openStep) : k6Options(scenario);

/** Mixed: every VU gets its own freshly registered user and account, as in the study. */
export function setup(): LoadFixtures {
  if (!baseUrl) fail("BASE_URL is required");
  if (!scenario.ownUserPerVu) return fixtures;
  const runId = String(Date.now());
  const peak = Math.max(0, ...scenario.stages.map((s) => s.vus), openStep?.maxVus ?? 0);
  const users: LoadUser[] = [];
  for (let vu = 0; vu < peak; vu++) {
    const { register, account } = registrationFor(runId, vu);
    const registered = http.post(`${baseUrl}/api/auth/register`, JSON.stringify(register), { headers: { "content-type": "application/json" }, tags: { phase: "setup" } });
    if (registered.status !== 201) fail(`register failed with ${registered.status}: ${registered.body}`);
    const token = registered.json().token as string;
    const created = http.post(`${baseUrl}/api/accounts`, JSON.stringify(account), {
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      tags: { phase: "setup" },
    });
    if (created.status !== 201) fail(`account creation failed with ${created.status}: ${created.body}`);
    users.push({ token, accountIds: [created.json().id as string] });
  }
  return { users };
}

export default function (data: LoadFixtures): void {
  // Closed model: each VU is a user. Open model: arrival n is who openArrival says, as in the Node
  // runner, so the load spreads over the whole population whatever VUs are busy.
  const vu = exec.vu.idInTest - 1;
  const n = Number(__ENV.ARRIVAL_OFFSET ?? 0) + exec.scenario.iterationInTest;
  const { user, iteration, kind } = openStep
    ? openArrival(data.users, scenario.mix, n)
    : { user: data.users[vu % data.users.length]!, iteration: exec.vu.iterationInScenario, kind: kindFor(scenario.mix, exec.vu.iterationInScenario) };
  const stage = openStep ? 0 : stageAt(ends, (Date.now() - exec.scenario.startTime) / 1000);
  const request = requestFor(kind, user, iteration, openStep ? `k6-${n}-${exec.scenario.startTime}-${__ENV.LADDER}-${__ENV.RPS}` : `k6-${vu}-${iteration}-${exec.scenario.startTime}`, Date.now());
  http.request(request.method, baseUrl + request.path, request.body ?? null, {
    headers: request.headers,
    tags: { stage: String(stage), kind: request.kind },
    responseType: "none",
  });
  // Open model: the executor paces arrivals; a VU thinking would only hold a slot.
  if (!openStep) sleep(scenario.thinkTimeSeconds);
}

export function handleSummary(data: K6SummaryData): Record<string, string> {
  if (openStep) {
    const step = arrivalStepFromSummary(openStep, data, Number(__ENV.LADDER ?? 0), Number(__ENV.STARTED_AT ?? 0));
    return {
      [__ENV.RESULT_FILE ?? `${scenario.name}-k6-step.json`]: JSON.stringify(step, null, 2),
      stdout: `${scenario.name} @ ${step.rps} req/s: achieved ${step.achievedRps.toFixed(1)} req/s, P95 ${step.p95.toFixed(1)} ms, errors ${(step.errorRate * 100).toFixed(2)} % (${step.dropped} dropped) -> ${step.slo.ok ? "held" : step.slo.reason}\n`,
    };
  }
  const result = scenarioFromSummary(scenario, data);
  const lines = result.stages.map((s) => `  ${s.vus} VUs: ${s.rps.toFixed(1)} req/s, P95 ${s.p95.toFixed(1)} ms, errors ${(s.errorRate * 100).toFixed(2)} % -> ${s.slo.ok ? "SLO held" : s.slo.reason}`);
  return {
    [__ENV.RESULT_FILE ?? `${scenario.name}-k6.json`]: JSON.stringify(result, null, 2),
    stdout: `${scenario.name} (${__ENV.PROFILE}):\n${lines.join("\n")}\n`,
  };
}
