import { CloudRunV2Job } from "@cdktf/provider-google/lib/cloud-run-v2-job";
import { SqlDatabaseInstance } from "@cdktf/provider-google/lib/sql-database-instance";
import { describe, expect, it } from "vitest";
import { environmentStack, PROD, runRule, smallStack, unmodifiedEnvironmentStack } from "../../test/support/policies";
import { sqlBackupsWithPitr, sqlDeletionProtectionInProduction, sqlNoPublicIp, sqlTlsRequired } from "./cloud-sql";
import { sqlConnectionBudget } from "./connection-budget";

/** A Cloud SQL instance with nothing but the required arguments: every provider default applies. */
const bareInstance = () =>
  smallStack((stack) => new SqlDatabaseInstance(stack, "db", { databaseVersion: "POSTGRES_16", region: "us-central1", settings: { tier: "db-custom-1-3840" } }));

describe("VZ-SQL-001 no public IP", () => {
  it("passes the Database construct (private IP only)", () => {
    expect(runRule(sqlNoPublicIp, unmodifiedEnvironmentStack("dev"))).toMatchObject({ status: "pass", checked: 1 });
  });

  it("fails an instance with ipv4 enabled, and one that leaves it to the provider default (public)", () => {
    const stack = environmentStack("dev");
    stack.database.instance.addOverride("settings.ip_configuration.ipv4_enabled", true);
    expect(runRule(sqlNoPublicIp, stack).problems).toEqual([
      "dev/database/instance: settings.ip_configuration.ipv4_enabled is true (the provider default is true), so the instance gets a public IP",
    ]);
    expect(runRule(sqlNoPublicIp, bareInstance()).problems).toEqual([expect.stringContaining("ipv4_enabled is unset")]);
  });
});

describe("VZ-SQL-002 TLS required", () => {
  it("passes ENCRYPTED_ONLY and TRUSTED_CLIENT_CERTIFICATE_REQUIRED", () => {
    expect(runRule(sqlTlsRequired, unmodifiedEnvironmentStack("dev")).status).toBe("pass");
    const stack = environmentStack("dev");
    stack.database.instance.addOverride("settings.ip_configuration.ssl_mode", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED");
    expect(runRule(sqlTlsRequired, stack).status).toBe("pass");
  });

  it("fails a mode that allows plaintext, and an unset mode", () => {
    const stack = environmentStack("dev");
    stack.database.instance.addOverride("settings.ip_configuration.ssl_mode", "ALLOW_UNENCRYPTED_AND_ENCRYPTED");
    expect(runRule(sqlTlsRequired, stack).problems).toEqual([expect.stringContaining('ssl_mode is "ALLOW_UNENCRYPTED_AND_ENCRYPTED"')]);
    expect(runRule(sqlTlsRequired, bareInstance()).status).toBe("FAIL");
  });
});

describe("VZ-SQL-003 backups with PITR", () => {
  it("passes backups with point-in-time recovery", () => {
    expect(runRule(sqlBackupsWithPitr, unmodifiedEnvironmentStack("prod")).status).toBe("pass");
  });

  it("fails without PITR, and without backups at all", () => {
    const noPitr = environmentStack("dev");
    noPitr.database.instance.addOverride("settings.backup_configuration.point_in_time_recovery_enabled", false);
    expect(runRule(sqlBackupsWithPitr, noPitr).problems).toEqual([expect.stringContaining("point_in_time_recovery_enabled is false")]);
    expect(runRule(sqlBackupsWithPitr, bareInstance()).problems).toHaveLength(2);
  });

  it("reads binary_log_enabled as PITR for MySQL", () => {
    const mysql = smallStack(
      (stack) =>
        new SqlDatabaseInstance(stack, "db", {
          databaseVersion: "MYSQL_8_0",
          region: "us-central1",
          settings: { tier: "db-custom-1-3840", backupConfiguration: { enabled: true, binaryLogEnabled: true } },
        }),
    );
    expect(runRule(sqlBackupsWithPitr, mysql).status).toBe("pass");
  });
});

describe("VZ-SQL-004 deletion protection in production", () => {
  it("passes prod, which sets both guards", () => {
    expect(runRule(sqlDeletionProtectionInProduction, unmodifiedEnvironmentStack("prod"), PROD)).toMatchObject({ status: "pass", checked: 1 });
  });

  it("does not apply outside production (dev may drop its database)", () => {
    expect(runRule(sqlDeletionProtectionInProduction, unmodifiedEnvironmentStack("dev")).status).toBe("n/a");
  });

  it("fails a production instance missing either guard", () => {
    const stack = environmentStack("prod");
    stack.database.instance.addOverride("deletion_protection", false);
    stack.database.instance.addOverride("settings.deletion_protection_enabled", false);
    expect(runRule(sqlDeletionProtectionInProduction, stack, PROD).problems).toEqual([
      "prod/database/instance: deletion_protection is false, so terraform destroy deletes the instance",
      "prod/database/instance: settings.deletion_protection_enabled is false, so the API and console can delete the instance",
    ]);
    // dev's config, deployed as production, is caught.
    expect(runRule(sqlDeletionProtectionInProduction, unmodifiedEnvironmentStack("dev"), PROD).status).toBe("FAIL");
  });
});

describe("VZ-SQL-005 connection budget", () => {
  const reserve = (name: "dev" | "prod") => ({ ...PROD, connectionReserve: unmodifiedEnvironmentStack(name).config.database.connectionReserve });

  it("passes the environments, whose max_connections is derived from the same budget", () => {
    // dev: api 10x10 + realtime 2x2 + worker 5x5 + migrate 1x2 = 131, + reserve 20 = 151 = max_connections.
    expect(runRule(sqlConnectionBudget, unmodifiedEnvironmentStack("dev"), reserve("dev")).status).toBe("pass");
    expect(runRule(sqlConnectionBudget, unmodifiedEnvironmentStack("prod"), reserve("prod")).status).toBe("pass");
  });

  it("fails when a service scales past the budget, with the numbers", () => {
    const stack = environmentStack("dev");
    stack.services.api.service.addOverride("template.scaling.max_instance_count", 11);
    const [problem] = runRule(sqlConnectionBudget, stack, reserve("dev")).problems;
    expect(problem).toContain("valorize-dev-api 11 x 10 = 110");
    expect(problem).toContain("valorize-dev-migrate 1 x 2 = 2");
    expect(problem).toContain("workloads can open 141 connections");
    expect(problem).toContain("+ reserve 20 = 161 > max_connections 151");
  });

  it("counts a workload the ConnectionBudget construct was not told about", () => {
    const stack = environmentStack("dev");
    new CloudRunV2Job(stack, "report-job", {
      name: "valorize-dev-report",
      location: "us-central1",
      template: {
        parallelism: 4,
        taskCount: 10,
        template: { containers: [{ image: "app", env: [{ name: "DB_POOL_SIZE", value: "5" }] }] },
      },
    });
    expect(runRule(sqlConnectionBudget, stack, reserve("dev")).problems).toEqual([expect.stringContaining("valorize-dev-report 4 x 5 = 20")]);
  });

  it("fails a workload that connects to the instance without a pool size it can be budgeted by", () => {
    const stack = environmentStack("dev");
    new CloudRunV2Job(stack, "export-job", {
      name: "valorize-dev-export",
      location: "us-central1",
      template: { template: { containers: [{ image: "app", env: [{ name: "DB_CONNECTION_NAME", value: stack.database.connectionName }] }] } },
    });
    expect(runRule(sqlConnectionBudget, stack, reserve("dev")).problems).toEqual([
      "dev/database/instance: valorize-dev-export: connects to this instance with DB_POOL_SIZE unset, which is not a number known at synth",
    ]);
  });

  it("fails an instance without a max_connections flag (the tier default cannot be budgeted)", () => {
    const stack = environmentStack("dev");
    // An override of undefined deletes the argument (overrides append to lists, so none can drop one flag).
    stack.database.instance.addOverride("settings.database_flags", undefined);
    expect(runRule(sqlConnectionBudget, stack).problems).toEqual([expect.stringContaining("max_connections is not set")]);
  });
});
