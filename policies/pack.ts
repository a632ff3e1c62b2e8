/**
 * The policy pack as a cdktf Aspect (our cdk-nag): attached to a stack, it registers one node
 * validation that evaluates every rule once per synth over the stack's resources. ERROR findings
 * fail synth (`app.synth()`, `npm run synth`, `Testing.synth(stack, true)`) with the rule id, the
 * resource path and the fix; WARNING findings and stale suppressions become warning annotations.
 *
 *   Aspects.of(stack).add(PolicyPack.forEnvironment(config));
 */
import { Annotations, Aspects, TerraformStack, type IAspect, type IConstruct } from "../lib/cdktf";
import { DEFAULT_CONNECTION_RESERVE } from "../lib/connection-budget";
import { collectStackResources } from "./collect";
import { activeFindings, evaluateRules, formatFinding, formatSuppression, type PolicyEvaluation } from "./evaluate";
import type { PolicyRule, RuleContext } from "./model";
import { PLATFORM_RULE_IDS, PLATFORM_RULES } from "./rules";
import { suppressionProblems, type Suppression } from "./suppressions";

export interface PolicyPackOptions {
  /** Environment the stack deploys (dev, staging, prod...). */
  readonly environment: string;
  /** Accepted violations, each with a reason (environment config `policy.suppressions`). */
  readonly suppressions?: readonly Suppression[];
  /** Production-only rules apply. @default environment === "prod" */
  readonly production?: boolean;
  /** @default ["app", "env"] */
  readonly requiredLabels?: readonly string[];
  /**
   * Connections kept free under max_connections (VZ-SQL-005). @default DEFAULT_CONNECTION_RESERVE
   * (lib/connection-budget.ts, the ConnectionBudget construct's default too); environments pass
   * `database.connectionReserve`.
   */
  readonly connectionReserve?: number;
  /** @default PLATFORM_RULES */
  readonly rules?: readonly PolicyRule[];
}

/** The parts of an environment config the pack reads (EnvironmentConfig satisfies it). */
export interface PolicyEnvironment {
  readonly name: string;
  readonly policy: { readonly suppressions: readonly Suppression[] };
  readonly database?: { readonly connectionReserve: number };
}

export class PolicyPack implements IAspect {
  readonly rules: readonly PolicyRule[];
  readonly suppressions: readonly Suppression[];
  readonly context: RuleContext;
  private readonly validatedStacks = new WeakSet<TerraformStack>();
  private readonly annotated = new Set<string>();

  /** The pack for an environment stack, with its suppressions and connection reserve. */
  static forEnvironment(config: PolicyEnvironment): PolicyPack {
    return new PolicyPack({
      environment: config.name,
      suppressions: config.policy.suppressions,
      connectionReserve: config.database?.connectionReserve,
    });
  }

  /** The pack attached to a stack with `Aspects.of(stack).add(...)`, if any. */
  static of(stack: TerraformStack): PolicyPack | undefined {
    return Aspects.of(stack).all.find((aspect): aspect is PolicyPack => aspect instanceof PolicyPack);
  }

  constructor(options: PolicyPackOptions) {
    this.rules = options.rules ?? PLATFORM_RULES;
    this.suppressions = options.suppressions ?? [];
    const problems = suppressionProblems(this.suppressions, options.rules ? this.rules.map((r) => r.id) : PLATFORM_RULE_IDS);
    if (problems.length > 0) {
      throw new Error(
        `Invalid policy suppressions for environment "${options.environment}" (config policy.suppressions):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      );
    }
    this.context = {
      environment: options.environment,
      production: options.production ?? options.environment === "prod",
      requiredLabels: options.requiredLabels ?? ["app", "env"],
      connectionReserve: options.connectionReserve ?? DEFAULT_CONNECTION_RESERVE,
    };
  }

  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node) || this.validatedStacks.has(node)) return;
    this.validatedStacks.add(node);
    node.node.addValidation({ validate: () => this.validate(node) });
  }

  /** Evaluates every rule on the stack as it is now (for reports and tests; synth uses the validation). */
  evaluate(stack: TerraformStack): PolicyEvaluation {
    return evaluateRules(collectStackResources(stack).resources, this.rules, this.context, this.suppressions);
  }

  private validate(stack: TerraformStack): string[] {
    const { resources, constructs } = collectStackResources(stack);
    const evaluation = evaluateRules(resources, this.rules, this.context, this.suppressions);
    for (const finding of activeFindings(evaluation, "WARNING")) {
      this.warn(constructs.get(finding.resource.address) ?? stack, formatFinding(finding));
    }
    for (const suppression of evaluation.unusedSuppressions) {
      this.warn(stack, `Policy suppression ${formatSuppression(suppression)} matched no finding: remove it or correct its resource pattern.`);
    }
    return activeFindings(evaluation, "ERROR").map(formatFinding);
  }

  /** Once per construct and message, however often the stack is synthesized. */
  private warn(scope: IConstruct, message: string): void {
    const key = `${scope.node.path}\n${message}`;
    if (this.annotated.has(key)) return;
    this.annotated.add(key);
    Annotations.of(scope).addWarning(message);
  }
}
