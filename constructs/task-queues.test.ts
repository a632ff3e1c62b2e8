import { CloudTasksQueueIamMember } from "@cdktf/provider-google/lib/cloud-tasks-queue-iam-member";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { describe, expect, it } from "vitest";
import { BASE, database, network, TASK_QUEUE_POLICIES as DEFAULT_TASK_QUEUES } from "../test/support/fixtures";
import { onlyResource, resourcesOf, synthStack } from "../test/support/synth";
import { AppService, type ServiceSizing } from "./app-service";
import { TaskQueues } from "./task-queues";

/** The queues in front of a worker of the given sizing (default: the worker role's, 10 instances x 50). */
function synthQueues(policies = DEFAULT_TASK_QUEUES, sizing?: ServiceSizing) {
  let queues!: TaskQueues;
  let worker!: AppService;
  const out = synthStack((stack) => {
    const net = network(stack);
    worker = new AppService(stack, "worker", { ...BASE, role: "worker", image: "img@sha256:1", sizing, network: net, database: database(stack, {}, 100, net) });
    queues = new TaskQueues(stack, "queues", { ...BASE, policies, worker });
    queues.grantEnqueue({ member: "serviceAccount:api@p.iam.gserviceaccount.com", grantId: "api" });
  });
  return { ...out, queues, worker };
}

describe("TaskQueues", () => {
  const { raw, json, queues, worker } = synthQueues();
  const all = Object.values(resourcesOf(json, "google_cloud_tasks_queue")) as any[];

  it("creates a queue per task type and shard", () => {
    expect(all.map((q) => q.name).sort()).toEqual([
      "vz-test-categorise-0",
      "vz-test-categorise-1",
      "vz-test-categorise-2",
      "vz-test-categorise-3",
      "vz-test-import-0",
      "vz-test-notify-0",
    ]);
    expect(queues.queuePaths.categorise).toHaveLength(4);
  });

  it("applies the shared policy: rate limits, retries with backoff, logging", () => {
    const importQueue = all.find((q) => q.name === "vz-test-import-0");
    const p = DEFAULT_TASK_QUEUES.import;
    expect(importQueue.rate_limits).toEqual({ max_dispatches_per_second: p.maxDispatchesPerSecond, max_concurrent_dispatches: p.maxConcurrentDispatches });
    expect(importQueue.retry_config).toEqual({
      max_attempts: p.retry.maxAttempts,
      min_backoff: `${p.retry.minBackoffSeconds}s`,
      max_backoff: `${p.retry.maxBackoffSeconds}s`,
      max_doublings: p.retry.maxDoublings,
      max_retry_duration: `${p.retry.maxRetryDurationSeconds}s`,
    });
    expect(importQueue.stackdriver_logging_config).toEqual({ sampling_ratio: p.loggingSamplingRatio });
  });

  it("pins every queue to the worker's /tasks/<type> path with an OIDC token of the tasks identity", () => {
    for (const queue of all) {
      const type = queue.name.split("-").at(-2);
      expect(queue.http_target.uri_override).toMatchObject({ scheme: "HTTPS", path_override: { path: `/tasks/${type}` }, uri_override_enforce_mode: "ALWAYS" });
      expect(queue.http_target.uri_override.host).toMatch(/trimprefix\(google_cloud_run_v2_service\..*\.uri, "https:\/\/"\)/);
      expect(queue.http_target.oidc_token).toEqual({ audience: "vz-test-worker", service_account_email: expect.stringMatching(/google_service_account\.queues_identity.*\.email/) });
    }
  });

  it("lets the tasks identity invoke the worker, and nothing else", () => {
    const invoker = onlyResource(json, "google_cloud_run_v2_service_iam_member");
    expect(invoker.role).toBe("roles/run.invoker");
    expect(invoker.member).toMatch(/serviceAccount:\$\{google_service_account\.queues_identity.*\.email\}/);
    const tasksProjectRoles = Object.values(resourcesOf(json, "google_project_iam_member")).filter((g: any) => /queues_identity/.test(g.member));
    expect(tasksProjectRoles).toEqual([]);
  });

  it("grants an enqueuer cloudtasks.enqueuer per queue and actAs on the tasks identity", () => {
    const grants = Object.values(resourcesOf(json, "google_cloud_tasks_queue_iam_member")) as any[];
    expect(grants).toHaveLength(all.length);
    for (const grant of grants) expect(grant).toMatchObject({ role: "roles/cloudtasks.enqueuer", member: "serviceAccount:api@p.iam.gserviceaccount.com" });
    expect(raw).toHaveResource(CloudTasksQueueIamMember);
    expect(raw).toHaveResourceWithProperties(ServiceAccountIamMember, { role: "roles/iam.serviceAccountUser", member: "serviceAccount:api@p.iam.gserviceaccount.com" });
  });

  it("follows the environment's shard count", () => {
    const { json } = synthQueues({ ...DEFAULT_TASK_QUEUES, categorise: { ...DEFAULT_TASK_QUEUES.categorise, shards: 2 } });
    expect(Object.keys(resourcesOf(json, "google_cloud_tasks_queue"))).toHaveLength(4);
  });

  it("sums what its queues may dispatch at once, within the worker's max instances x concurrency", () => {
    expect(queues.maxConcurrentDispatches).toBe(all.reduce((sum, q) => sum + q.rate_limits.max_concurrent_dispatches, 0));
    expect(worker.capacity).toEqual({ maxInstances: 10, concurrency: 50 });
    expect(queues.maxConcurrentDispatches).toBeLessThanOrEqual(worker.capacity.maxInstances * worker.capacity.concurrency);
  });

  it("fails synth with the numbers when the queues can push more than the worker takes (Cloud Run would answer 429)", () => {
    const smallWorker = { maxInstances: 2, concurrency: 10 };
    expect(() => synthQueues(DEFAULT_TASK_QUEUES, smallWorker)).toThrow(
      /Dispatch budget exceeded: the task queues can push 500 tasks at once \(categorise 4 x 100 = 400; import 1 x 25 = 25; notify 1 x 75 = 75\) but the worker takes 20 \(max instances x concurrency\)/,
    );
  });
});
