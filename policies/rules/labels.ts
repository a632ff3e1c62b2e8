/**
 * Labels on every labelable resource: cost reports and ownership queries group by them.
 *
 * Labelable means the Google provider applies `default_labels` to the type (it has
 * `effective_labels`, see SynthesizedResource.supportsDefaultLabels): the provider's default
 * labels or the resource's own `labels` count. Cloud SQL instances carry theirs in
 * `settings.user_labels`, which default labels do not reach, so they must set them. Monitoring
 * objects' `user_labels` are alert metadata, not billing labels, and are not required.
 */
import { attribute, rule, show, type Config, type StackResources, type SynthesizedResource } from "../model";
import { SQL_INSTANCE } from "./cloud-sql";

export const requiredLabels = rule({
  id: "VZ-LABEL-001",
  severity: "ERROR",
  title: "Required labels present",
  rationale: "Billing exports and ownership queries group by labels; an unlabelled resource is cost nobody can attribute.",
  fix: "Set the keys through the google provider's default_labels (platformLabels) or the resource's labels; Cloud SQL needs settings.user_labels.",
  appliesTo: (stack) => stack.resources.filter((r) => r.supportsDefaultLabels || r.type === SQL_INSTANCE),
  check: (resource, stack, context) => {
    const labels = effectiveLabels(resource, stack);
    if (labels === undefined) return [`labels are an expression (${show(ownLabels(resource))}) that cannot be checked at synth`];
    const problems = context.requiredLabels.filter((key) => !labels[key]).map((key) => `label ${key} is missing`);
    if (labels.env !== undefined && !String(labels.env).includes("${") && labels.env !== context.environment) {
      problems.push(`label env is ${show(labels.env)} in environment ${context.environment}`);
    }
    return problems;
  },
});

function ownLabels(resource: SynthesizedResource): unknown {
  return resource.type === SQL_INSTANCE ? attribute(resource.config, "settings", "user_labels") : resource.config.labels;
}

/** Labels the resource ends up with, or undefined when they are not known at synth. */
function effectiveLabels(resource: SynthesizedResource, stack: StackResources): Config | undefined {
  const own = ownLabels(resource) ?? {};
  if (typeof own !== "object" || own === null) return undefined;
  const defaults = resource.supportsDefaultLabels ? (stack.providerOf(resource)?.config.default_labels ?? {}) : {};
  if (typeof defaults !== "object" || defaults === null) return undefined;
  return { ...defaults, ...own } as Config;
}
