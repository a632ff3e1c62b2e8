/**
 * A synthesized workload's environment as its container gets it at run time: Terraform's
 * references replaced by the values they take at apply, secrets by stand-ins, and what Cloud Run
 * itself sets. Expressions without a stand-in fail the test, so a new reference gets one on purpose.
 */
import { CONTAINER_PORT } from "../../contract";
import { envOf, resourcesOf, type SynthesizedJson } from "./synth";

export const STAND_IN_PROJECT = "acme-stand-in";

/** Resolves `${...}` in a value the way `terraform apply` would for the stack's own resources. */
export function terraformStandIns(json: SynthesizedJson): (value: string) => string {
  const attribute = (type: string, id: string, name: string): string => {
    const resource = resourcesOf(json, type)[id];
    if (!resource) throw new Error(`no ${type}.${id} in the stack`);
    // IAM's documented form of a service account's email; Cloud SQL's of a connection name.
    if (type === "google_service_account" && name === "email") return `${resource.account_id}@${STAND_IN_PROJECT}.iam.gserviceaccount.com`;
    if (type === "google_sql_database_instance" && name === "connection_name") return `${STAND_IN_PROJECT}:${resource.region}:${resource.name}`;
    if (type === "google_redis_instance" && name === "host") return "10.20.0.3";
    if (type === "google_redis_instance" && name === "port") return "6378";
    if (type === "google_sql_user" && name === "name") return resolve(resource.name);
    if (type === "google_cloud_run_v2_service" && name === "uri") return `https://${resolve(resource.name)}-abc123-uc.a.run.app`;
    if (type === "google_cloud_tasks_queue" && name === "id") return `projects/${STAND_IN_PROJECT}/locations/${resource.location}/queues/${resolve(resource.name)}`;
    throw new Error(`no stand-in for ${type}.${name}: add one`);
  };
  const evaluate = (expression: string): string => {
    const trim = /^trimsuffix\((.+), "([^"]*)"\)$/s.exec(expression);
    if (trim) {
      const value = evaluate(trim[1]!);
      return value.endsWith(trim[2]!) ? value.slice(0, value.length - trim[2]!.length) : value;
    }
    const json = /^jsonencode\(\{(.*)\}\)$/s.exec(expression);
    if (json) {
      const entries = [...json[1]!.matchAll(/"([^"]+)" = \[([^\]]*)\]/g)].map(([, key, list]) => [key, list!.split(",").map((item) => evaluate(item.trim()))]);
      return JSON.stringify(Object.fromEntries(entries));
    }
    if (expression === "var.project_id") return STAND_IN_PROJECT;
    const reference = /^(google_\w+)\.([\w-]+)\.(\w+)$/.exec(expression);
    if (reference) return attribute(reference[1]!, reference[2]!, reference[3]!);
    throw new Error(`no stand-in for \${${expression}}: add one`);
  };
  const resolve = (value: string): string => value.replace(/\$\{((?:[^{}]|\{[^{}]*\})*)\}/g, (_, expression: string) => evaluate(expression));
  return resolve;
}

/** Every Cloud Run service and job of a stack, with the role its container runs (`args[0]`). */
export function workloadsOf(json: SynthesizedJson): Array<{ kind: "service" | "job"; name: string; role: string; resource: any }> {
  const services = (Object.values(resourcesOf(json, "google_cloud_run_v2_service")) as any[]).map((resource) => ({ kind: "service" as const, resource, container: resource.template.containers[0] }));
  const jobs = (Object.values(resourcesOf(json, "google_cloud_run_v2_job")) as any[]).map((resource) => ({ kind: "job" as const, resource, container: resource.template.template.containers[0] }));
  return [...services, ...jobs].map(({ kind, resource, container }) => ({ kind, name: resource.name, role: container.args[0], resource }));
}

/**
 * The process environment of a workload's container: its values resolved, secrets as stand-ins,
 * and for a service what Cloud Run's container contract adds (PORT, K_SERVICE).
 */
export function processEnvOf(json: SynthesizedJson, workload: { kind: "service" | "job"; name: string; resource: any }): Record<string, string> {
  const resolve = terraformStandIns(json);
  const env = Object.fromEntries(
    Object.entries(envOf(workload.resource)).map(([name, value]) => {
      if (typeof value === "string") return [name, resolve(value)];
      // Secret Manager references: Cloud Run resolves them to the secret's value at start.
      return [name, name.endsWith("_CERT") ? "-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n" : "stand-in-secret-of-at-least-32-characters"];
    }),
  );
  return workload.kind === "service" ? { ...env, K_SERVICE: workload.name, PORT: String(CONTAINER_PORT) } : env;
}
