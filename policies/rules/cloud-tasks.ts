/** Cloud Tasks push queues call their target over HTTPS with an OIDC identity. */
import { attribute, mentions, rule, type StackResources, type SynthesizedResource } from "../model";
import { literalName, maxConcurrentInstances, numeric, RUN_SERVICE } from "./workloads";

export const tasksAuthenticatedHttps = rule({
  id: "VZ-TASKS-001",
  severity: "ERROR",
  title: "Task queues push with OIDC over HTTPS",
  rationale: "The worker accepts only IAM-authenticated calls; a queue without an OIDC token fails every task, and plain HTTP exposes task payloads.",
  fix: "Set http_target.oidc_token.service_account_email (audience = the worker's) and uri_override.scheme = HTTPS (the TaskQueues construct does).",
  appliesTo: (stack) => stack.ofType("google_cloud_tasks_queue").filter((q) => attribute(q.config, "http_target") !== undefined),
  check: (queue) => {
    const problems: string[] = [];
    if (attribute(queue.config, "http_target", "oidc_token", "service_account_email") === undefined) {
      problems.push("http_target.oidc_token.service_account_email is unset, so tasks reach the target without an identity");
    }
    if (attribute(queue.config, "http_target", "uri_override", "scheme") === "HTTP") problems.push("http_target.uri_override.scheme is HTTP");
    return problems;
  },
});

/** Cloud Run's per-instance concurrency when `max_instance_request_concurrency` is unset. */
export const DEFAULT_REQUEST_CONCURRENCY = 80;

/**
 * Cloud Run queues a request that finds every instance busy at max instances for up to 60 s, then
 * answers 429 (https://cloud.google.com/run/docs/about-instance-autoscaling); Cloud Tasks retries a
 * 429 with a harder backoff, and each attempt is a bad event for the worker's task-success SLO.
 */
export const tasksWithinWorkerCapacity = rule({
  id: "VZ-TASKS-002",
  severity: "ERROR",
  title: "Queues fit the worker's capacity",
  rationale: "Dispatches beyond the target's max instances x concurrency are answered 429: retried, throttled, counted against its SLO.",
  fix: "Lower the queues' rate_limits.max_concurrent_dispatches (taskQueues.<type>.maxConcurrentDispatches, or leave it unset so it is sized from the worker), or raise the worker's max instances or concurrency.",
  // Subjects: Cloud Run services that some queue pushes to.
  appliesTo: (stack) => stack.ofType(RUN_SERVICE).filter((service) => queuesTargeting(service, stack).length > 0),
  check: (service, stack) => {
    const label = literalName(service) ?? service.path;
    const instances = maxConcurrentInstances(service);
    const concurrency = numeric(attribute(service.config, "template", "max_instance_request_concurrency") ?? DEFAULT_REQUEST_CONCURRENCY);
    if (instances === undefined || concurrency === undefined) return [`${label}: max instances or concurrency is not a number known at synth, so the dispatch budget cannot be checked`];
    const queues = queuesTargeting(service, stack);
    const shares = queues.map((queue) => ({ name: literalName(queue) ?? queue.path, each: numeric(attribute(queue.config, "rate_limits", "max_concurrent_dispatches")) }));
    const unbounded = shares.filter((s) => s.each === undefined).map((s) => s.name);
    if (unbounded.length > 0) return [`${unbounded.join(", ")}: rate_limits.max_concurrent_dispatches is unset (Cloud Tasks then allows up to 1,000 per queue) or not a number known at synth`];
    const dispatches = shares.reduce((sum, s) => sum + s.each!, 0);
    const capacity = instances * concurrency;
    return dispatches <= capacity
      ? []
      : [`${queues.length} queues can push ${dispatches} tasks at once (${shares.map((s) => `${s.name} ${s.each}`).join(", ")}) but ${label} takes ${instances} instances x ${concurrency} = ${capacity}`];
  },
});

/** Queues whose HTTP target is pinned to this service (its host is derived from the service's URI). */
function queuesTargeting(service: SynthesizedResource, stack: StackResources): readonly SynthesizedResource[] {
  return stack.ofType("google_cloud_tasks_queue").filter((queue) => mentions(attribute(queue.config, "http_target", "uri_override", "host"), service));
}
