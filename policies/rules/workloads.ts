/**
 * How Cloud Run services and jobs look in synthesized JSON, shared by the rules that read them.
 */
import { attribute, blocks, type Config, type SynthesizedResource } from "../model";

export const RUN_SERVICE = "google_cloud_run_v2_service";
export const RUN_JOB = "google_cloud_run_v2_job";
/** Types that run containers from an image with env vars and a service account. */
export const RUN_WORKLOADS = [RUN_SERVICE, RUN_JOB] as const;

/** Cloud Run's ingress when none is set. */
export const DEFAULT_INGRESS = "INGRESS_TRAFFIC_ALL";
/** Cloud Run's instance cap for a service without `scaling.max_instance_count`. */
export const DEFAULT_MAX_INSTANCES = 100;

/** The revision or task template: `template` for services, `template.template` for jobs. */
function runTemplate(workload: SynthesizedResource): unknown {
  return workload.type === RUN_JOB ? attribute(workload.config, "template", "template") : attribute(workload.config, "template");
}

export function containersOf(workload: SynthesizedResource): Config[] {
  return blocks(runTemplate(workload), "containers");
}

/** Every env entry of every container. */
export function envOf(workload: SynthesizedResource): Config[] {
  return containersOf(workload).flatMap((container) => blocks(container, "env"));
}

/** The literal `value` of an env var, if some container sets it as a plain value. */
export function envValue(workload: SynthesizedResource, name: string): unknown {
  return envOf(workload).find((entry) => entry.name === name)?.value;
}

export function serviceAccountOf(workload: SynthesizedResource): unknown {
  return attribute(runTemplate(workload), "service_account");
}

export function ingressOf(service: SynthesizedResource): unknown {
  return service.config.ingress ?? DEFAULT_INGRESS;
}

/** Reachable from outside Google Cloud: directly, or through an external load balancer. */
export function isPublicService(service: SynthesizedResource): boolean {
  const ingress = ingressOf(service);
  return ingress === "INGRESS_TRAFFIC_ALL" || ingress === "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER";
}

/** Reachable only from the project's VPC and Google services such as Cloud Tasks. */
export function isInternalService(service: SynthesizedResource): boolean {
  return ingressOf(service) === "INGRESS_TRAFFIC_INTERNAL_ONLY";
}

/** How many copies can run at once: max instances (services) or parallel tasks (jobs). */
export function maxConcurrentInstances(workload: SynthesizedResource): number | undefined {
  if (workload.type === RUN_JOB) {
    const tasks = numeric(attribute(workload.config, "template", "task_count") ?? 1);
    const parallelism = numeric(attribute(workload.config, "template", "parallelism") ?? 0);
    if (tasks === undefined || parallelism === undefined) return undefined;
    // Parallelism 0 means "as many as possible", i.e. every task at once.
    return parallelism > 0 ? Math.min(parallelism, tasks) : tasks;
  }
  return numeric(attribute(workload.config, "template", "scaling", "max_instance_count") ?? DEFAULT_MAX_INSTANCES);
}

/** A number known at synth (a literal, or a numeric string such as an env value). */
export function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** `name` of a resource as a literal, when it is not an expression. */
export function literalName(resource: SynthesizedResource): string | undefined {
  const name = resource.config.name;
  return typeof name === "string" && !name.includes("${") ? name : undefined;
}
