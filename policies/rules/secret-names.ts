/**
 * Which environment variable names hold secrets. A name is split into words (`DB_PASSWORD`,
 * `dbPassword` -> DB, PASSWORD) and judged by its last word, the noun: `*_PASSWORD`, `*_TOKEN`,
 * `*_KEY` are secrets, while `TOKEN_TTL`, `KEY_PREFIX`, `SECRET_NAME` or `TASKS_SERVICE_ACCOUNT`
 * only talk about one. Encodings after the noun (`SECRET_KEY_BASE`, `SA_KEY_JSON`) still count.
 *
 * Deliberately not secret: a bare `*_AUTH` (here `DB_AUTH=iam` names an authentication *mode*;
 * `BASIC_AUTH`, `*_AUTH_STRING` and `*_AUTH_HEADER` do count), public keys and certificates, and
 * data-structure keys (`CACHE_KEY`, `PARTITION_KEY`, ...).
 */

/** Nouns that name a secret value when they end the name. */
const SECRET_NOUNS = new Set([
  "PASSWORD", "PASSWORDS", "PASSWD", "PASS", "PWD", "PASSPHRASE",
  "SECRET", "SECRETS",
  "TOKEN",
  "KEY", "KEYS", "APIKEY", "PRIVATEKEY",
  "CREDENTIAL", "CREDENTIALS", "CREDS",
  "CERT", "CERTIFICATE",
  "SALT",
]);

/** Words after the noun that only say how the secret is encoded. */
const ENCODINGS = new Set(["BASE", "BASE64", "B64", "HEX", "PEM", "DER", "JSON", "DATA", "VALUE"]);

/** Words before the noun that make it something other than a secret. */
const NON_SECRET_QUALIFIERS = new Set([
  "PUBLIC",
  "CACHE", "PARTITION", "SORT", "PRIMARY", "FOREIGN", "ROUTING", "IDEMPOTENCY", "LOOKUP", "HASH", "RANGE", "SHARD", "DEDUP", "DEDUPLICATION",
]);

/** `AUTH` is a secret only in these company. */
const AUTH_SECRETS = [["BASIC", "AUTH"], ["HTTP", "AUTH"], ["AUTH", "STRING"], ["AUTH", "HEADER"]];

/** Words of an env var name: `dbPassword`, `DB_PASSWORD`, `db-password` -> DB, PASSWORD. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((word) => word.length > 0);
}

export function looksLikeSecretName(name: string): boolean {
  const words = nameWords(name);
  // The shell's working directory, not a password.
  if (words.length === 1 && words[0] === "PWD") return false;
  while (words.length > 1 && ENCODINGS.has(words[words.length - 1]!)) words.pop();
  const last = words[words.length - 1];
  const beforeLast = words[words.length - 2];
  if (last === undefined) return false;
  if (AUTH_SECRETS.some(([a, b]) => beforeLast === a && last === b)) return true;
  if (!SECRET_NOUNS.has(last)) return false;
  return beforeLast === undefined || !NON_SECRET_QUALIFIERS.has(beforeLast);
}

/** Secret material recognisable in a value whatever its name, with what gives it away. */
const SECRET_VALUES: readonly (readonly [RegExp, string])[] = [
  [/[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i, "a URL with an embedded password"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a PEM private key"],
  [/\.secret_data\b/, "a Secret Manager payload read into configuration (secret_data)"],
  [/\brandom_password\.[^.]+\.result\b/, "a generated password (random_password.result)"],
];

/** What makes a plain env value a secret, or undefined. */
export function secretInValue(value: string): string | undefined {
  return SECRET_VALUES.find(([pattern]) => pattern.test(value))?.[1];
}
