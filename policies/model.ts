/**
 * What policy rules see: a stack's synthesized resources as plain data, and the vocabulary rules
 * are written in. Pure (no cdktf import), so rules stay small functions over data.
 */

export type Severity = "ERROR" | "WARNING";

/** A resource attribute tree as Terraform JSON has it: snake_case keys, references as `${...}`. */
export type Config = Readonly<Record<string, unknown>>;

/** One synthesized resource or data source. */
export interface SynthesizedResource {
  /** Terraform type, e.g. `google_sql_database_instance`. */
  readonly type: string;
  /** Logical id in the stack, e.g. `database_instance_D7FC2283`. */
  readonly logicalId: string;
  /** How other resources refer to it: `google_x.<id>` (`data.google_x.<id>` for data sources). */
  readonly address: string;
  /** Construct path, e.g. `dev/database/instance`. */
  readonly path: string;
  /** Arguments with references resolved to Terraform expressions (`depends_on` left out). */
  readonly config: Config;
  /**
   * The Google provider applies `default_labels` to this type: its schema has `effective_labels`,
   * which provider 5+ adds exactly to the resources whose top-level `labels` follow that model.
   */
  readonly supportsDefaultLabels: boolean;
}

/** A provider block, e.g. `google` with its `default_labels`. */
export interface SynthesizedProvider {
  /** `google`, `google-beta`, `docker`... */
  readonly type: string;
  readonly alias?: string;
  readonly config: Config;
}

/** Everything a rule may look at in one stack. */
export interface StackResources {
  readonly resources: readonly SynthesizedResource[];
  readonly dataSources: readonly SynthesizedResource[];
  readonly providers: readonly SynthesizedProvider[];
  ofType(...types: string[]): readonly SynthesizedResource[];
  /** The resource or data source an expression such as `${google_x.id.self_link}` points at. */
  referencedBy(expression: unknown): SynthesizedResource | undefined;
  /** The provider configuration a resource is created with (its `provider` argument, else the default). */
  providerOf(resource: SynthesizedResource): SynthesizedProvider | undefined;
}

/** What a rule knows about the stack it checks, besides its resources. */
export interface RuleContext {
  /** Environment the stack deploys: dev, staging, prod... */
  readonly environment: string;
  /** Production-only rules (deletion protection, enforced WAF) apply. */
  readonly production: boolean;
  /** Label keys every labelable resource must carry; `env` must also equal the environment. */
  readonly requiredLabels: readonly string[];
  /** PostgreSQL connections kept free beyond what the workloads can open at full scale. */
  readonly connectionReserve: number;
}

/**
 * A policy rule: which resources it judges and what is wrong with each. A stack without subjects
 * reports the rule as `n/a`; required-but-missing things are expressed by choosing as subjects
 * the resources that need them (e.g. public services need an SLO).
 */
export interface PolicyRule {
  /** Stable id used in messages and suppressions, e.g. `VZ-SQL-001`. */
  readonly id: string;
  readonly severity: Severity;
  /** A few words for the report table. */
  readonly title: string;
  /** Why the rule exists, one line. */
  readonly rationale: string;
  /** What to change to comply. */
  readonly fix: string;
  subjects(stack: StackResources, context: RuleContext): readonly SynthesizedResource[];
  /** The problems of one subject, each a short sentence; empty when it complies. */
  check(subject: SynthesizedResource, stack: StackResources, context: RuleContext): readonly string[];
}

/** Declares a rule whose subjects are simply all resources of some types. */
export function rule(
  definition: Omit<PolicyRule, "subjects"> & {
    readonly appliesTo: readonly string[] | PolicyRule["subjects"];
  },
): PolicyRule {
  const { appliesTo, ...rest } = definition;
  const subjects: PolicyRule["subjects"] = typeof appliesTo === "function" ? appliesTo : (stack) => stack.ofType(...appliesTo);
  return { ...rest, subjects };
}

const REFERENCE = /^\$\{((?:data\.)?[a-z][a-z0-9_-]*\.[A-Za-z0-9_-]+)[.[}]/;

/** The address (`google_x.id`, `data.google_x.id`) an expression starts with, if it is a reference. */
export function referencedAddress(expression: unknown): string | undefined {
  return typeof expression === "string" ? REFERENCE.exec(expression)?.[1] : undefined;
}

/** An index over a stack's resources; built once per evaluation. */
export class ResourceIndex implements StackResources {
  private readonly byType = new Map<string, SynthesizedResource[]>();
  private readonly byAddress = new Map<string, SynthesizedResource>();

  constructor(
    readonly resources: readonly SynthesizedResource[],
    readonly dataSources: readonly SynthesizedResource[] = [],
    readonly providers: readonly SynthesizedProvider[] = [],
  ) {
    for (const resource of resources) {
      const list = this.byType.get(resource.type) ?? [];
      list.push(resource);
      this.byType.set(resource.type, list);
    }
    for (const item of [...resources, ...dataSources]) this.byAddress.set(item.address, item);
  }

  ofType(...types: string[]): readonly SynthesizedResource[] {
    if (types.length === 1) return this.byType.get(types[0]!) ?? [];
    return types.flatMap((type) => this.byType.get(type) ?? []);
  }

  referencedBy(expression: unknown): SynthesizedResource | undefined {
    const address = referencedAddress(expression);
    return address === undefined ? undefined : this.byAddress.get(address);
  }

  providerOf(resource: SynthesizedResource): SynthesizedProvider | undefined {
    const explicit = resource.config.provider;
    if (typeof explicit === "string") {
      const [type, alias] = explicit.split(".");
      return this.providers.find((p) => p.type === type && p.alias === alias);
    }
    // Terraform picks the provider from the type's prefix: google_* -> google.
    return this.providers.find((p) => p.alias === undefined && resource.type.startsWith(`${p.type}_`));
  }
}

/**
 * The value at a path of nested blocks. Terraform JSON writes a single nested block as an object
 * or as a one-element list; both are read the same way.
 */
export function attribute(config: unknown, ...path: string[]): unknown {
  let current: unknown = config;
  for (const key of path) {
    current = single(current);
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The blocks at a path as a list (absent -> empty, single object -> one element). */
export function blocks(config: unknown, ...path: string[]): Config[] {
  const value = attribute(config, ...path);
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((item): item is Config => item !== null && typeof item === "object");
}

function single(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

/** Every string anywhere in a value (for searching filters and expressions). */
export function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

/** True when some string in `value` contains a reference to `target` (`${... target.address.attr ...}`). */
export function mentions(value: unknown, target: SynthesizedResource): boolean {
  const needle = `${target.address}.`;
  return stringsIn(value).some((s) => s.includes(needle));
}

/** `"x"` for messages; expressions and absent values read naturally. */
export function show(value: unknown): string {
  return value === undefined ? "unset" : JSON.stringify(value);
}
