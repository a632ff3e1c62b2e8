import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { SqlUser } from "@cdktf/provider-google/lib/sql-user";
import { describe, expect, it } from "vitest";
import { BASE, database, network } from "../test/support/fixtures";
import { onlyResource, resourcesOf, synthStack } from "../test/support/synth";
import { Database } from "./database";

const flagsOf = (instance: any) => Object.fromEntries(instance.settings.database_flags.map((f: any) => [f.name, f.value]));

describe("Database", () => {
  const { json } = synthStack((stack) => database(stack, {}, 240));
  const instance = onlyResource(json, "google_sql_database_instance");

  it("has a private IP only, on the platform VPC, and requires TLS", () => {
    expect(instance.settings.ip_configuration).toMatchObject({ ipv4_enabled: false, ssl_mode: "ENCRYPTED_ONLY" });
    expect(instance.settings.ip_configuration.private_network).toMatch(/google_compute_network\..*\.id/);
    expect(instance.settings.ip_configuration.allocated_ip_range).toMatch(/google_compute_global_address\..*\.name/);
    expect(instance.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^google_service_networking_connection\./)]));
  });

  it("accepts only connector connections (IAM-authorised) unless told otherwise", () => {
    expect(instance.settings.connector_enforcement).toBe("REQUIRED");
    const open = synthStack((stack) => {
      new Database(stack, "db", { ...BASE, network: network(stack), maxConnections: 50, requireConnectors: false });
    });
    expect(onlyResource(open.json, "google_sql_database_instance").settings.connector_enforcement).toBe("NOT_REQUIRED");
  });

  it("keeps backups with point-in-time recovery, a maintenance window and Query Insights by default", () => {
    expect(instance.settings.backup_configuration).toMatchObject({
      enabled: true,
      point_in_time_recovery_enabled: true,
      transaction_log_retention_days: 7,
      backup_retention_settings: { retained_backups: 14, retention_unit: "COUNT" },
    });
    expect(instance.settings.maintenance_window).toEqual({ day: 7, hour: 3, update_track: "stable" });
    expect(instance.settings.insights_config).toMatchObject({ query_insights_enabled: true, record_client_address: false });
  });

  it("is regional and protected from deletion by default (secure defaults)", () => {
    expect(instance.settings.availability_type).toBe("REGIONAL");
    expect(instance.deletion_protection).toBe(true);
    expect(instance.settings.deletion_protection_enabled).toBe(true);
    expect(instance.settings.retain_backups_on_delete).toBe(true);
    expect(onlyResource(json, "google_sql_database").deletion_policy).toBe("ABANDON");
  });

  it("sets its flags on purpose: max_connections from the budget, IAM auth, slow-query logging", () => {
    expect(flagsOf(instance)).toMatchObject({
      max_connections: "240",
      "cloudsql.iam_authentication": "on",
      log_min_duration_statement: "250",
      idle_in_transaction_session_timeout: "60000",
    });
  });

  it("follows its settings: tier, edition, size, zonal, no protection, slow-query threshold", () => {
    const { json } = synthStack((stack) =>
      database(stack, { tier: "db-perf-optimized-N-4", edition: "ENTERPRISE_PLUS", availabilityType: "ZONAL", deletionProtection: false, diskSizeGb: 50, slowQueryMs: 100 }),
    );
    const custom = onlyResource(json, "google_sql_database_instance");
    expect(custom.settings).toMatchObject({ tier: "db-perf-optimized-N-4", edition: "ENTERPRISE_PLUS", availability_type: "ZONAL", disk_size: 50 });
    expect(custom.settings.data_cache_config).toEqual({ data_cache_enabled: true });
    expect(custom.deletion_protection).toBe(false);
    expect(flagsOf(custom).log_min_duration_statement).toBe("100");
    expect(onlyResource(json, "google_sql_database").deletion_policy).toBe("DELETE");
  });

  it("creates IAM database users (no password) with connect roles limited to this instance", () => {
    const { raw, json } = synthStack((stack) => {
      const db = database(stack);
      const api = { email: "api@acme-test-1.iam.gserviceaccount.com", member: "serviceAccount:api@acme-test-1.iam.gserviceaccount.com", grantId: "api" };
      const first = db.addIamUser(api);
      const again = db.addIamUser({ ...api });
      expect(again).toBe(first);
    });
    expect(raw).toHaveResourceWithProperties(SqlUser, {
      type: "CLOUD_IAM_SERVICE_ACCOUNT",
      name: '${trimsuffix("api@acme-test-1.iam.gserviceaccount.com", ".gserviceaccount.com")}',
    });
    const user = onlyResource(json, "google_sql_user");
    expect(user.password).toBeUndefined();
    const grants = Object.values(resourcesOf(json, "google_project_iam_member"));
    expect(grants.map((g: any) => g.role).sort()).toEqual(["roles/cloudsql.client", "roles/cloudsql.instanceUser"]);
    for (const grant of grants as any[]) {
      expect(grant.member).toBe("serviceAccount:api@acme-test-1.iam.gserviceaccount.com");
      expect(grant.condition.expression).toMatch(/^resource\.name == "projects\/acme-test-1\/instances\/\$\{google_sql_database_instance\..*\.name\}"/);
    }
    expect(raw).toHaveResource(ProjectIamMember);
  });

  it("gives the migration owner a write-only password, never stored in state", () => {
    const { json } = synthStack((stack) => {
      const migrate = { email: "m@acme-test-1.iam.gserviceaccount.com", member: "serviceAccount:m@acme-test-1.iam.gserviceaccount.com", grantId: "migrate" };
      database(stack).addOwner(migrate, { password: "s3cret-value", passwordVersion: 2 });
    });
    const owner = onlyResource(json, "google_sql_user");
    expect(owner).toMatchObject({ type: "BUILT_IN", name: "vz_test_owner", password_wo: "s3cret-value", password_wo_version: 2 });
    expect(owner.password).toBeUndefined();
  });
});
