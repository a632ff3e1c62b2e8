import { CloudTasksQueue } from "@cdktf/provider-google/lib/cloud-tasks-queue";
import { describe, expect, it } from "vitest";
import { environmentStack, runRule, smallStack, unmodifiedEnvironmentStack } from "../testing";
import { tasksAuthenticatedHttps } from "./cloud-tasks";

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
