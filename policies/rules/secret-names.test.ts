import { CloudRunV2Service } from "@cdktf/provider-google/lib/cloud-run-v2-service";
import { describe, expect, it } from "vitest";
import { environmentStack, runRule, smallStack, unmodifiedEnvironmentStack } from "../../test/support/policies";
import { runNoPlaintextSecrets } from "./plaintext-secrets";
import { looksLikeSecretName, nameWords, secretInValue } from "./secret-names";

describe("secret-looking env var names", () => {
  it.each([
    "DB_PASSWORD", "REDIS_PASSWORD", "DB_PASS", "DB_PWD", "TOKEN_SECRET", "JWT_SECRET", "CLIENT_SECRET", "API_KEY", "API_KEYS",
    "STRIPE_SECRET_KEY", "PRIVATE_KEY", "SIGNING_KEY", "ENCRYPTION_KEY", "ACCESS_TOKEN", "GITHUB_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS",
    "AWS_CREDS", "TLS_CERT", "REDIS_CA_CERT", "SECRET_KEY_BASE", "SA_KEY_JSON", "SIGNING_KEY_B64", "BASIC_AUTH", "REDIS_AUTH_STRING",
    "AUTH_HEADER", "APIKEY", "dbPassword", "apiKey", "db-password", "TOKEN", "PASSWORD_SALT",
  ])("%s is a secret", (name) => {
    expect(looksLikeSecretName(name)).toBe(true);
  });

  it.each([
    // Platform names that must not trip the rule.
    "TASKS_SERVICE_ACCOUNT", "TASKS_OIDC_AUDIENCE", "DB_AUTH", "DB_USER", "DB_NAME", "DB_POOL_SIZE", "REDIS_URL",
    // About a secret, not the secret.
    "KEY_PREFIX", "CACHE_KEY_PREFIX", "TOKEN_TTL_SECONDS", "TOKEN_ISSUER", "SECRET_NAME", "SECRET_ID", "PRIVATE_KEY_ID", "KEY_FILE",
    "CREDENTIALS_PATH", "PASSWORD_MIN_LENGTH", "AUTH_MODE", "MAX_TOKENS", "PASS_THROUGH", "BYPASS",
    // Keys and certificates that are not secret.
    "PUBLIC_KEY", "JWT_PUBLIC_KEY_PEM", "CACHE_KEY", "PARTITION_KEY", "IDEMPOTENCY_KEY",
    "PWD", "KEYBOARD_LAYOUT", "TOKENIZER",
  ])("%s is not a secret", (name) => {
    expect(looksLikeSecretName(name)).toBe(false);
  });

  it("splits names into words across conventions", () => {
    expect(nameWords("stripeSecretKey")).toEqual(["STRIPE", "SECRET", "KEY"]);
    expect(nameWords("db-password_v2")).toEqual(["DB", "PASSWORD", "V2"]);
  });

  it("recognises secrets in values whatever the name", () => {
    expect(secretInValue("postgres://app:hunter2@10.0.0.3:5432/valorize")).toBe("a URL with an embedded password");
    expect(secretInValue("postgres://${var.user}:${var.password}@db/valorize")).toBe("a URL with an embedded password");
    expect(secretInValue("-----BEGIN RSA PRIVATE KEY-----\nMII...")).toBe("a PEM private key");
    expect(secretInValue("${data.google_secret_manager_secret_version.key.secret_data}")).toContain("secret_data");
    expect(secretInValue("${random_password.owner.result}")).toContain("random_password");
    // Hosts, digests and user-only URLs are fine.
    expect(secretInValue("rediss://${google_redis_instance.cache.host}:${google_redis_instance.cache.port}")).toBeUndefined();
    expect(secretInValue("us-central1-docker.pkg.dev/p/repo/app@sha256:abc")).toBeUndefined();
    expect(secretInValue("https://user@example.com/path")).toBeUndefined();
  });
});

describe("VZ-RUN-004 no plaintext secrets in env", () => {
  it("passes the platform's services and job (secrets come from Secret Manager)", () => {
    expect(runRule(runNoPlaintextSecrets, unmodifiedEnvironmentStack("dev"))).toMatchObject({ status: "pass", checked: 4 });
  });

  it("fails a secret-looking name with a plain value, and a plain value that is a secret", () => {
    const stack = environmentStack("dev");
    stack.services.worker.service.addOverride("template.containers.0.env", [
      { name: "STRIPE_SECRET_KEY", value: "sk_live_123" },
      { name: "DATABASE_URL", value: "postgres://owner:hunter2@10.0.0.3/valorize" },
      { name: "KEY_PREFIX", value: "valorize:" },
    ]);
    expect(runRule(runNoPlaintextSecrets, stack).problems).toEqual([
      "dev/worker/service: env STRIPE_SECRET_KEY looks like a secret but is set with a plain value",
      "dev/worker/service: env DATABASE_URL holds a URL with an embedded password as a plain value",
    ]);
  });

  it("checks jobs' containers too", () => {
    const stack = environmentStack("dev");
    stack.migrations.job.addOverride("template.template.containers.0.env", [{ name: "DB_PASSWORD", value: "${var.db_owner_password}" }]);
    expect(runRule(runNoPlaintextSecrets, stack).problems).toEqual([
      "dev/migrations/job: env DB_PASSWORD looks like a secret but is set with a plain value",
    ]);
  });

  it("accepts a secret-looking name sourced from Secret Manager", () => {
    const stack = smallStack(
      (s) =>
        new CloudRunV2Service(s, "svc", {
          name: "svc",
          location: "us-central1",
          ingress: "INGRESS_TRAFFIC_INTERNAL_ONLY",
          template: {
            serviceAccount: "svc@acme-test-1.iam.gserviceaccount.com",
            containers: [{ image: "app", env: [{ name: "API_KEY", valueSource: { secretKeyRef: { secret: "api-key", version: "1" } } }] }],
          },
        }),
    );
    expect(runRule(runNoPlaintextSecrets, stack).status).toBe("pass");
  });
});
