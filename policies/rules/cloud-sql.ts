/** Cloud SQL: private, encrypted, recoverable, and hard to delete in production. */
import { attribute, rule, show, type SynthesizedResource } from "../model";

export const SQL_INSTANCE = "google_sql_database_instance";

const TLS_REQUIRED_MODES = ["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"];

export const sqlNoPublicIp = rule({
  id: "VZ-SQL-001",
  severity: "ERROR",
  title: "Cloud SQL has no public IP",
  rationale: "A public IP exposes PostgreSQL to the internet; the platform reaches it over private services access only.",
  fix: "Set settings.ip_configuration.ipv4_enabled = false with private_network on the platform VPC (the Database construct does).",
  appliesTo: [SQL_INSTANCE],
  check: (instance) => {
    const ipv4 = attribute(instance.config, "settings", "ip_configuration", "ipv4_enabled");
    // The provider's default is true: an unset value means a public IP.
    return ipv4 === false ? [] : [`settings.ip_configuration.ipv4_enabled is ${show(ipv4)} (the provider default is true), so the instance gets a public IP`];
  },
});

export const sqlTlsRequired = rule({
  id: "VZ-SQL-002",
  severity: "ERROR",
  title: "Cloud SQL requires TLS",
  rationale: "Without an encrypted-only SSL mode, clients may connect in plaintext and leak credentials and data on the wire.",
  fix: 'Set settings.ip_configuration.ssl_mode = "ENCRYPTED_ONLY" (or "TRUSTED_CLIENT_CERTIFICATE_REQUIRED").',
  appliesTo: [SQL_INSTANCE],
  check: (instance) => {
    const mode = attribute(instance.config, "settings", "ip_configuration", "ssl_mode");
    return TLS_REQUIRED_MODES.includes(mode as string)
      ? []
      : [`settings.ip_configuration.ssl_mode is ${show(mode)} (unset allows unencrypted connections); expected one of ${TLS_REQUIRED_MODES.join(", ")}`];
  },
});

export const sqlBackupsWithPitr = rule({
  id: "VZ-SQL-003",
  severity: "ERROR",
  title: "Cloud SQL backups with PITR",
  rationale: "Daily backups alone lose up to a day of financial data; point-in-time recovery restores to the second.",
  fix: "Set settings.backup_configuration.enabled = true and point_in_time_recovery_enabled = true (binary_log_enabled for MySQL).",
  appliesTo: [SQL_INSTANCE],
  check: (instance) => {
    const problems: string[] = [];
    const enabled = attribute(instance.config, "settings", "backup_configuration", "enabled");
    if (enabled !== true) problems.push(`settings.backup_configuration.enabled is ${show(enabled)}`);
    const pitrField = pitrAttribute(instance);
    const pitr = attribute(instance.config, "settings", "backup_configuration", pitrField);
    if (pitr !== true) problems.push(`settings.backup_configuration.${pitrField} is ${show(pitr)}, so there is no point-in-time recovery`);
    return problems;
  },
});

export const sqlDeletionProtectionInProduction = rule({
  id: "VZ-SQL-004",
  severity: "ERROR",
  title: "Cloud SQL deletion protection (prod)",
  rationale: "In production a mistaken destroy or API call must not delete the database; both Terraform's and Cloud SQL's guards are needed.",
  fix: "Set deletion_protection = true and settings.deletion_protection_enabled = true (config database.deletionProtection).",
  appliesTo: (stack, context) => (context.production ? stack.ofType(SQL_INSTANCE) : []),
  check: (instance) => {
    const problems: string[] = [];
    // Terraform's guard defaults to true; Cloud SQL's own guard defaults to false.
    const terraformGuard = instance.config.deletion_protection;
    if (terraformGuard === false) problems.push("deletion_protection is false, so terraform destroy deletes the instance");
    const apiGuard = attribute(instance.config, "settings", "deletion_protection_enabled");
    if (apiGuard !== true) problems.push(`settings.deletion_protection_enabled is ${show(apiGuard)}, so the API and console can delete the instance`);
    return problems;
  },
});

function pitrAttribute(instance: SynthesizedResource): string {
  const version = instance.config.database_version;
  return typeof version === "string" && version.startsWith("MYSQL") ? "binary_log_enabled" : "point_in_time_recovery_enabled";
}
