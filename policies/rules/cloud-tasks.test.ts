import { CloudTasksQueue } from "@cdktf/provider-google/lib/cloud-tasks-queue";
import { describe, expect, it } from "vitest";
import { environmentStack, runRule, smallStack, unmodifiedEnvironmentStack } from "../../test/support/policies";
import { tasksAuthenticatedHttps, tasksWithinWorkerCapacity } from "./cloud-tasks";

describe("VZ-TASKS-001 queues push with OIDC over HTTPS", () => {
  it("passes every TaskQueues queue", () => {
    const result = runRule(tasksAuthenticatedHttps, unmodifiedEnvironmentStack("prod"));
    expect(result.status).toBe("pass");
    expect(result.checked).toBe(unmodifiedEnvironmentStack("prod").taskQueues.queues.length);
  });

  it("fails a queue whose target gets no OIDC token, or plain HTTP", () => {
    const stack = environmentStack("dev");
    // An override of undefined deletes the argument.
    stack.taskQueues.queues[0]!.addOverride("http_target.oidc_token", undefined);
    stack.taskQueues.queues[1]!.addOverride("http_target.uri_override.scheme", "HTTP");
    expect(runRule(tasksAuthenticatedHttps, stack).problems).toEqual([
      "dev/task-queues/categorise-0: http_target.oidc_token.service_account_email is unset, so tasks reach the target without an identity",
      "dev/task-queues/categorise-1: http_target.uri_override.scheme is HTTP",
    ]);
  });

  it("has nothing to check on queues without an HTTP target (App Engine or per-task targets)", () => {
    expect(runRule(tasksAuthenticatedHttps, smallStack((s) => new CloudTasksQueue(s, "q", { name: "q", location: "us-central1" }))).status).toBe("n/a");
  });
});

describe("VZ-TASKS-002 queues dispatch no more than the worker takes", () => {
  it("passes every environment: the queues are sized from the worker", () => {
    for (const env of ["dev", "staging", "prod"] as const) {
      const result = runRule(tasksWithinWorkerCapacity, unmodifiedEnvironmentStack(env));
      expect(result.status, env).toBe("pass");
      expect(result.checked, env).toBe(1); // the worker: the only service queues push to
    }
  });

  it("fails with the numbers when the queues can push more than max instances x concurrency", () => {
    const stack = environmentStack("dev");
    // dev's worker: 5 instances x 50 = 250; one categorisation shard alone now allows 1,000.
    stack.taskQueues.queues[0]!.addOverride("rate_limits.max_concurrent_dispatches", 1000);
    const [problem] = runRule(tasksWithinWorkerCapacity, stack).problems;
    expect(problem).toMatch(/^dev\/worker\/service: 6 queues can push \d+ tasks at once \(valorize-dev-categorise-0 1000, .*\) but valorize-dev-worker takes 5 instances x 50 = 250$/);
  });

  it("fails a queue without a concurrency limit (Cloud Tasks' default is far above a small worker)", () => {
    const stack = environmentStack("dev");
    stack.taskQueues.queues[2]!.addOverride("rate_limits.max_concurrent_dispatches", undefined);
    expect(runRule(tasksWithinWorkerCapacity, stack).problems).toEqual([
      expect.stringMatching(/^dev\/worker\/service: valorize-dev-categorise-2: rate_limits.max_concurrent_dispatches is unset/),
    ]);
  });
});
