import { ProjectService } from "@cdktf/provider-google/lib/project-service";
import { Aspects, Construct, dependable, TerraformResource, type IConstruct } from "../lib/cdktf";
import { TerraformData } from "../lib/terraform-data";

/**
 * The Google APIs the platform uses: every API the provider calls for a resource of the stacks
 * (stacks/environment-stack.test.ts maps each resource type to its API and fails on a gap), plus
 * those the running app calls. An API that is off makes the apply fail with "... API has not been
 * used in project ... or it is disabled".
 */
export const PLATFORM_APIS = [
  "compute.googleapis.com", // VPC, subnet, addresses, load balancer, Cloud Armor, certificates
  "servicenetworking.googleapis.com", // private services access (Cloud SQL, Memorystore)
  "sqladmin.googleapis.com", // Cloud SQL instance, database, users; the app's Cloud SQL connector
  "redis.googleapis.com", // Memorystore
  "run.googleapis.com", // Cloud Run services, the migration job, their IAM
  "cloudtasks.googleapis.com", // queues and their IAM; the api enqueues
  "secretmanager.googleapis.com", // secrets, versions, per-secret IAM
  "artifactregistry.googleapis.com", // the image repository; the Docker provider pushes to it
  "iam.googleapis.com", // service accounts and their IAM (actAs)
  "iamcredentials.googleapis.com", // tokens for service accounts (Cloud Tasks OIDC, connectors)
  "cloudresourcemanager.googleapis.com", // project IAM (google_project_iam_member reads and sets the project's policy)
  "serviceusage.googleapis.com", // google_project_service itself (see ProjectServices)
  "logging.googleapis.com",
  "monitoring.googleapis.com", // SLOs, alert policies, dashboards, uptime checks, channels
  "cloudtrace.googleapis.com",
  "storage.googleapis.com", // the static bucket and its IAM
] as const;

export interface ProjectServicesProps {
  readonly project: string;
  /** APIs to enable. @default PLATFORM_APIS */
  readonly apis?: readonly string[];
  /**
   * Disable the APIs on `terraform destroy`. Off by default: another stack or a person may depend
   * on them, and disabling an API can delete its resources.
   * @default false
   */
  readonly disableOnDestroy?: boolean;
}

/**
 * Enables the project's Google APIs and makes every other resource in the same stack wait for
 * them, so a first deploy into an empty project does not race API enablement.
 *
 * Which project an API must be on in is the request's quota project: without
 * `user_project_override` "the quota project is determined by the API and may be the project
 * associated with your credentials, or the resource project" (Google provider reference,
 * user_project_override). So Service Usage (enabling APIs) and Cloud Resource Manager (project
 * IAM) are listed here for a deployer that is a service account of the target project, and a
 * deployer from another project needs them on in its own (they are on by default in projects
 * created from the console). Service Usage cannot enable itself: it must already be on.
 */
export class ProjectServices extends Construct {
  readonly services: readonly ProjectService[];
  /** Completes once every API is enabled. */
  readonly ready: TerraformResource;

  constructor(scope: Construct, id: string, props: ProjectServicesProps) {
    super(scope, id);
    const apis = [...new Set(props.apis ?? PLATFORM_APIS)].sort();
    this.services = apis.map(
      (api) =>
        new ProjectService(this, api.split(".")[0]!, {
          project: props.project,
          service: api,
          disableOnDestroy: props.disableOnDestroy ?? false,
          disableDependentServices: false,
        }),
    );
    // One gate stands for "every API is enabled": each resource depends on it instead of on every
    // API, which keeps depends_on short and the plan graph small.
    this.ready = new TerraformData(this, "ready", { dependsOn: [...this.services] });
    const gate = dependable(this.ready);
    const self = this;
    Aspects.of(scope).add({
      visit(node: IConstruct) {
        if (!(node instanceof TerraformResource) || node.node.scopes.includes(self)) return;
        node.dependsOn = [...(node.dependsOn ?? []), gate];
      },
    });
  }
}
