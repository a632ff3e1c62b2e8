/** Cloud Tasks push queues call their target over HTTPS with an OIDC identity. */
import { attribute, rule } from "../model";

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
