/**
 * Loads an environment's configuration: committed data (dev.ts, ...) plus what must not be
 * committed (project id, state bucket, image pin) from environment variables or CLI context,
 * validated by the schema and the cross-setting rules. Invalid config throws
 * `EnvironmentConfigError`, whose message names each setting, its value and the rule.
 */
import { z } from "zod";
import { dev } from "./dev";
import { local } from "./local";
import { prod } from "./prod";
import { withExternalSettings, type ExternalSettings } from "./external";
import { checkEnvironmentRules, type ConfigViolation } from "./rules";
import {
  ENVIRONMENT_NAMES,
  environmentInputSchema,
  resolveEnvironment,
  type EnvironmentConfig,
  type EnvironmentInput,
  type EnvironmentName,
} from "./schema";
import { staging } from "./staging";

export * from "./schema";
export * from "./task-queues";
export { checkEnvironmentRules, parseCloudSqlTier, SHARED_ENVIRONMENTS, type ConfigViolation } from "./rules";
export { externalSettingNames, howToSet, type ExternalSettings } from "./external";

export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentInput>> = { dev, staging, prod, local };

export class EnvironmentConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly violations: readonly ConfigViolation[],
  ) {
    super(
      `Invalid configuration for environment "${environment}":\n` +
        violations.map((v) => `  - ${v.setting} = ${v.value === undefined ? "(unset)" : JSON.stringify(v.value)}: ${v.rule}`).join("\n"),
    );
    this.name = "EnvironmentConfigError";
  }

  /**
   * Only uncommitted settings are missing (the committed config itself is valid): the environment
   * cannot be deployed from this machine yet, but nothing is wrong with the code.
   */
  get onlyMissingSettings(): boolean {
    return this.violations.every((v) => v.missing === true);
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function schemaViolations(input: unknown, error: z.ZodError): ConfigViolation[] {
  return error.issues.flatMap((issue): ConfigViolation[] => {
    // Unknown keys are reported on the parent object; name each key as its own setting.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        setting: [...issue.path, key].join("."),
        value: valueAt(input, [...issue.path, key]),
        rule: "is not a known setting (check the spelling against environments/schema.ts)",
      }));
    }
    // A bad record key (e.g. a label name) carries the key's own rule one level down.
    const rule = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    return [{ setting: issue.path.join(".") || "(root)", value: valueAt(input, issue.path), rule }];
  });
}

/**
 * Validates raw environment data (committed data merged with external settings). Exposed on its
 * own so that tests can feed invalid configurations.
 */
export function parseEnvironment(input: unknown): EnvironmentConfig {
  const label = String(valueAt(input, ["name"]) ?? "(unnamed)");
  const parsed = environmentInputSchema.safeParse(input);
  if (!parsed.success) throw new EnvironmentConfigError(label, schemaViolations(input, parsed.error));
  const config = resolveEnvironment(parsed.data);
  const violations = checkEnvironmentRules(config);
  if (violations.length > 0) throw new EnvironmentConfigError(label, violations);
  return config;
}

export function isEnvironmentName(name: string): name is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(name);
}

/** The validated configuration of a named environment. */
export function loadEnvironment(name: EnvironmentName, sources: ExternalSettings = {}): EnvironmentConfig {
  return parseEnvironment(withExternalSettings(ENVIRONMENTS[name], sources));
}
