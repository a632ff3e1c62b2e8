import { CloudTasksQueue } from "@cdktf/provider-google/lib/cloud-tasks-queue";
import { CloudTasksQueueIamMember } from "@cdktf/provider-google/lib/cloud-tasks-queue-iam-member";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { Construct, Fn, type ITerraformDependable } from "../lib/cdktf";
import { grantIdOf, type IGrantee } from "../lib/google";
import { dispatchBudget, TASK_TYPES, taskQueueName, type TaskQueuePolicies, type TaskType } from "../lib/task-queues";
import type { AppService } from "./app-service";
import { RuntimeIdentity } from "./runtime-identity";

export interface TaskQueuesProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  /** Rate limits, retries and logging per task type (shape in lib/task-queues.ts; the platform's defaults are environments/task-queues.ts). */
  readonly policies: TaskQueuePolicies;
  /** The worker service the queues push to. */
  readonly worker: AppService;
  /** Identity Cloud Tasks presents to the worker. @default a new dedicated one */
  readonly identity?: RuntimeIdentity;
}

/**
 * Cloud Tasks push queues for the worker's task types, sharded where one queue's 500/s cap is not
 * enough, plus the identity that calls the worker.
 *
 * Each queue pins its own target: the worker's host and `/tasks/<type>` path and an OIDC token
 * minted for the tasks service account (audience = worker URL), so even a task created with
 * another URL or without a token reaches only the worker, authenticated. The tasks account holds
 * `run.invoker` on the worker alone; enqueuers get `cloudtasks.enqueuer` per queue and permission
 * to act as the tasks account (`grantEnqueue`).
 *
 * Dispatch budget: the queues together must not have more tasks in flight than the worker takes
 * at full scale-out (its `maxConcurrentRequests`): Cloud Run answers the excess with 429, Cloud
 * Tasks retries it, and each attempt counts against the worker's SLO. A larger total fails synth
 * with the numbers.
 */
export class TaskQueues extends Construct {
  readonly identity: RuntimeIdentity;
  /** Full queue paths (`projects/P/locations/R/queues/Q`) per task type, shard order. */
  readonly queuePaths: Readonly<Record<TaskType, string[]>>;
  readonly queues: readonly CloudTasksQueue[];
  /** The base URL tasks are pushed to. */
  readonly workerUrl: string;
  /** Tasks the queues may have in flight at once, summed over every queue. */
  readonly maxConcurrentDispatches: number;
  private readonly invokerGrant: ITerraformDependable;

  constructor(scope: Construct, id: string, props: TaskQueuesProps) {
    super(scope, id);
    this.identity = props.identity ?? TaskQueues.createIdentity(this, props);
    this.invokerGrant = props.worker.grantInvoke(this.identity);
    this.workerUrl = props.worker.url;
    const workerHost = Fn.trimprefix(props.worker.url, "https://");

    const queues: CloudTasksQueue[] = [];
    const paths = {} as Record<TaskType, string[]>;
    for (const type of TASK_TYPES) {
      const policy = props.policies[type];
      paths[type] = [];
      for (let shard = 0; shard < policy.shards; shard++) {
        const queue = new CloudTasksQueue(this, `${type}-${shard}`, {
          project: props.project,
          location: props.region,
          name: taskQueueName(props.namePrefix, type, shard),
          rateLimits: {
            maxDispatchesPerSecond: policy.maxDispatchesPerSecond,
            maxConcurrentDispatches: policy.maxConcurrentDispatches,
          },
          retryConfig: {
            maxAttempts: policy.retry.maxAttempts,
            minBackoff: `${policy.retry.minBackoffSeconds}s`,
            maxBackoff: `${policy.retry.maxBackoffSeconds}s`,
            maxDoublings: policy.retry.maxDoublings,
            maxRetryDuration: `${policy.retry.maxRetryDurationSeconds}s`,
          },
          stackdriverLoggingConfig: { samplingRatio: policy.loggingSamplingRatio },
          httpTarget: {
            httpMethod: "POST",
            uriOverride: {
              scheme: "HTTPS",
              host: workerHost,
              pathOverride: { path: `/tasks/${type}` },
              uriOverrideEnforceMode: "ALWAYS",
            },
            oidcToken: { serviceAccountEmail: this.identity.email, audience: props.worker.oidcAudience ?? props.worker.url },
          },
          // Tasks must not be dispatched before the tasks account may invoke the worker.
          dependsOn: [this.invokerGrant],
        });
        queues.push(queue);
        paths[type].push(queue.id);
      }
    }
    this.queues = queues;
    this.queuePaths = paths;
    const budget = dispatchBudget(props.policies, props.worker.capacity);
    this.maxConcurrentDispatches = budget.dispatches;
    this.node.addValidation({
      validate: () =>
        budget.fits
          ? []
          : [
              `Dispatch budget exceeded: the task queues can push ${budget.dispatches} tasks at once (${budget.breakdown}) ` +
                `but the worker takes ${budget.capacity} (max instances x concurrency); Cloud Run answers the rest with 429. ` +
                "Lower the queues' maxConcurrentDispatches or raise the worker's maxInstances or concurrency.",
            ],
    });
  }

  /** The identity Cloud Tasks calls the worker with: no project roles, only `run.invoker` on the worker. */
  static createIdentity(scope: Construct, props: Pick<TaskQueuesProps, "project" | "namePrefix">, id = "identity"): RuntimeIdentity {
    return new RuntimeIdentity(scope, id, {
      project: props.project,
      namePrefix: props.namePrefix,
      component: "tasks",
      description: "Identity Cloud Tasks uses to call the worker (OIDC).",
      projectRoles: [],
    });
  }

  /** `TASK_QUEUES` for the enqueuer: task type -> queue paths, as JSON. */
  get queuePathsJson(): string {
    return Fn.jsonencode(this.queuePaths);
  }

  /**
   * Lets a grantee create tasks in these queues (and nothing else in Cloud Tasks) and attach the
   * tasks account's OIDC identity to them.
   */
  grantEnqueue(grantee: IGrantee): ITerraformDependable[] {
    const id = grantIdOf(grantee);
    const member = grantee.member;
    const grants: ITerraformDependable[] = this.queues.map(
      (queue, index) =>
        new CloudTasksQueueIamMember(this, `enqueuer-${id}-${index}`, {
          project: queue.project,
          location: queue.location,
          name: queue.name,
          role: "roles/cloudtasks.enqueuer",
          member,
        }),
    );
    grants.push(
      new ServiceAccountIamMember(this, `act-as-${id}`, {
        serviceAccountId: this.identity.serviceAccount.name,
        role: "roles/iam.serviceAccountUser",
        member,
      }),
    );
    return grants;
  }
}
