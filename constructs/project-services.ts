import { ProjectService } from "@cdktf/provider-google/lib/project-service";
import { Aspects, Construct, dependable, TerraformResource, type IConstruct } from "../lib/cdktf";
import { TerraformData } from "../lib/terraform-data";

/** The Google APIs the platform uses; each construct's resources need some of them. */
export const PLATFORM_APIS = [
  "compute.googleapis.com",
  "servicenetworking.googleapis.com",
  "sqladmin.googleapis.com",
  "redis.googleapis.com",
  "run.googleapis.com",
  "cloudtasks.googleapis.com",
  "secretmanager.googleapis.com",
  "artifactregistry.googleapis.com",
  "iam.googleapis.com",
  "iamcredentials.googleapis.com",
  "logging.googleapis.com",
  "monitoring.googleapis.com",
  "cloudtrace.googleapis.com",
  "storage.googleapis.com",
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
