/**
 * Settings that are not committed: they name an organisation's own project, state bucket, domains
 * and people, or pin an image for one deploy. Each comes from an environment variable
 * (`VALORIZE_<ENV>_<SETTING>`) or, failing that, from the cdktf context (`<env>.<key>`);
 * environment variables win so that CI can override what a developer's context holds.
 */
import type { EnvironmentInput, EnvironmentName } from "./schema";

export interface ExternalSettings {
  /** Usually `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** cdktf context (`CDKTF_CONTEXT_JSON` or `cdktf.json` "context"), keys like `prod.projectId`. */
  readonly context?: (key: string) => unknown;
}

/** Context key (after `<env>.`) and variable suffix (after `VALORIZE_<ENV>_`) of each setting. */
const SETTINGS = {
  projectId: "PROJECT_ID",
  stateBucket: "STATE_BUCKET",
  localState: "LOCAL_STATE",
  image: "IMAGE",
  domains: "DOMAINS",
  pageEmails: "PAGE_EMAILS",
  ticketEmails: "TICKET_EMAILS",
} as const;
export type ExternalSettingKey = keyof typeof SETTINGS;

/** Environment variable names for one environment's uncommitted settings, e.g. VALORIZE_PROD_PROJECT_ID. */
export function externalSettingNames(name: EnvironmentName): Readonly<Record<ExternalSettingKey, string>> {
  const prefix = `VALORIZE_${name.toUpperCase()}`;
  return Object.fromEntries(Object.entries(SETTINGS).map(([key, suffix]) => [key, `${prefix}_${suffix}`])) as Record<ExternalSettingKey, string>;
}

/** How to give one setting, for messages: `VALORIZE_PROD_DOMAINS (or context prod.domains)`. */
export function howToSet(name: EnvironmentName, key: ExternalSettingKey): string {
  return `${externalSettingNames(name)[key]} (or cdktf context ${name}.${key})`;
}

/** "a, b c" -> ["a", "b", "c"]: lists are comma- or space-separated. */
function list(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

/** "1"/"true" and "0"/"false"; anything else stays a string for the schema to refuse. */
function flag(value: string): boolean | string {
  if (/^(1|true)$/i.test(value)) return true;
  if (/^(0|false)$/i.test(value)) return false;
  return value;
}

/** The committed input with the external settings merged in (nested settings field by field). */
export function withExternalSettings(committed: EnvironmentInput, sources: ExternalSettings): EnvironmentInput {
  const name = committed.name;
  const names = externalSettingNames(name);
  const pick = (key: ExternalSettingKey): string | undefined => {
    const fromEnv = sources.env?.[names[key]];
    if (fromEnv) return fromEnv;
    const fromContext = sources.context?.(`${name}.${key}`);
    if (typeof fromContext === "string" && fromContext !== "") return fromContext;
    if (Array.isArray(fromContext) || typeof fromContext === "boolean") return String(fromContext);
    return undefined;
  };
  const [projectId, stateBucket, localState, image, domains, pageEmails, ticketEmails] = (
    ["projectId", "stateBucket", "localState", "image", "domains", "pageEmails", "ticketEmails"] as const
  ).map(pick);
  const notifications = {
    ...committed.observability?.notifications,
    ...(pageEmails ? { pageEmails: list(pageEmails) } : {}),
    ...(ticketEmails ? { ticketEmails: list(ticketEmails) } : {}),
  };
  return {
    ...committed,
    ...(projectId ? { projectId } : {}),
    ...(stateBucket ? { stateBucket } : {}),
    ...(localState ? { localState: flag(localState) as boolean } : {}),
    image: { ...committed.image, ...(image ? { prebuiltUri: image } : {}) },
    edge: { ...committed.edge, ...(domains ? { domains: list(domains) } : {}) },
    observability: { ...committed.observability, notifications },
  };
}
