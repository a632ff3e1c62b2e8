/** One HTTP scenario with the Node runner: the closed VU stages and/or the knee search. */
import { runKneeSearch } from "../node/arrival-runner";
import { runHttpScenario } from "../node/http-runner";
import type { LoadUser } from "../requests";
import { combineHttpResults, type HttpScenarioResult } from "../results";
import type { HttpScenario } from "../scenarios";
import type { ExperimentContext } from "./context";

/** Local runs can see the task queues: the knee search waits for their backlog between ladders and plots it. */
export interface TaskBacklog {
  backlog(): Promise<number>;
}

/** Waits until the backlog is empty (at most `timeoutSeconds`). */
export async function drained(queues: TaskBacklog, timeoutSeconds = 120): Promise<void> {
  const deadline = performance.now() + timeoutSeconds * 1000;
  while ((await queues.backlog()) > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 250));
}

export async function runHttpNode(scenario: HttpScenario, baseUrl: string, users: readonly LoadUser[], ctx: ExperimentContext, queues?: TaskBacklog): Promise<HttpScenarioResult> {
  const closed = scenario.stages.length > 0 ? await runHttpScenario({ baseUrl, scenario, fixtures: { users }, onProgress: ctx.progress }) : undefined;
  const open = scenario.open
    ? await runKneeSearch({
        baseUrl,
        scenario,
        search: scenario.open,
        fixtures: { users },
        onProgress: ctx.progress,
        ...(queues ? { taskBacklog: () => queues.backlog(), settle: () => drained(queues) } : {}),
      })
    : undefined;
  if (open) {
    const { knee } = open;
    ctx.log(`${scenario.name}: knee ${knee.heldRps.toLocaleString("en-US")} req/s held${knee.brokeAtRps ? `, broke at ${knee.brokeAtRps.toLocaleString("en-US")} req/s (${knee.brokeBecause})` : " (never broke: a lower bound)"}`);
    for (const warning of open.warnings) ctx.log(`${scenario.name}: warning: ${warning}`);
  }
  return combineHttpResults(scenario.name, closed, open);
}

