/** Secrets reach containers as Secret Manager references, never as plain env values. */
import { rule } from "../model";
import { looksLikeSecretName, secretInValue } from "./secret-names";
import { envOf, RUN_WORKLOADS } from "./workloads";

export const runNoPlaintextSecrets = rule({
  id: "VZ-RUN-004",
  severity: "ERROR",
  title: "No plaintext secrets in env",
  rationale: "A plain env value is stored in the revision spec and Terraform state and shown to anyone with run.viewer; Secret Manager keeps it out and audits reads.",
  fix: "Pass the value with env.value_source.secret_key_ref (AppService secretEnv / Secrets.add) instead of env.value; rename vars that are not secrets.",
  appliesTo: [...RUN_WORKLOADS],
  check: (workload) =>
    envOf(workload).flatMap((entry) => {
      const name = String(entry.name);
      if (entry.value === undefined) return [];
      if (looksLikeSecretName(name)) return [`env ${name} looks like a secret but is set with a plain value`];
      const giveaway = typeof entry.value === "string" ? secretInValue(entry.value) : undefined;
      return giveaway ? [`env ${name} holds ${giveaway} as a plain value`] : [];
    }),
});
