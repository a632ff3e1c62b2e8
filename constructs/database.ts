import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { SqlDatabase } from "@cdktf/provider-google/lib/sql-database";
import { SqlDatabaseInstance } from "@cdktf/provider-google/lib/sql-database-instance";
import { SqlUser } from "@cdktf/provider-google/lib/sql-user";
import { Construct, Fn, type ITerraformDependable } from "../lib/cdktf";
import { withDefaults } from "../lib/defaults";
import { cloudSqlInstanceName, type IServiceAccountGrantee } from "../lib/google";
import { DEFAULT_BACKUPS, DEFAULT_INSIGHTS, DEFAULT_MAINTENANCE_WINDOW, type DatabaseBackups, type DatabaseInsights, type DatabaseMaintenanceWindow } from "./database-options";
import type { Network } from "./network";

export { DEFAULT_BACKUPS, DEFAULT_INSIGHTS, DEFAULT_MAINTENANCE_WINDOW, type DatabaseBackups, type DatabaseInsights, type DatabaseMaintenanceWindow } from "./database-options";

/** A PostgreSQL user and the resources that must exist before it can connect. */
export interface DatabaseUser {
  readonly name: string;
  readonly dependables: ITerraformDependable[];
}

export interface DatabaseProps {
  readonly project: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly network: Network;
  /** `max_connections`, normally from `ConnectionBudget.maxConnections`. */
  readonly maxConnections: number;
  /** @default "POSTGRES_16" */
  readonly version?: "POSTGRES_15" | "POSTGRES_16" | "POSTGRES_17";
  /** ENTERPRISE_PLUS requires a `db-perf-optimized-N-*` tier; ENTERPRISE a `db-custom-*` tier. @default "ENTERPRISE" */
  readonly edition?: "ENTERPRISE" | "ENTERPRISE_PLUS";
  /** @default "db-custom-2-7680" */
  readonly tier?: string;
  /** REGIONAL keeps a standby in a second zone with automatic failover. @default "REGIONAL" */
  readonly availabilityType?: "ZONAL" | "REGIONAL";
  /** @default 20 */
  readonly diskSizeGb?: number;
  /** Upper bound for automatic disk growth in GB; 0 means no limit. @default 0 */
  readonly diskAutoresizeLimitGb?: number;
  /** Terraform's and Cloud SQL's own guards against deletion. @default true */
  readonly deletionProtection?: boolean;
  /** @default DEFAULT_BACKUPS (daily, PITR over 7 days, 14 kept) */
  readonly backups?: DatabaseBackups;
  /** @default DEFAULT_MAINTENANCE_WINDOW (Sunday 03:00 UTC, stable track) */
  readonly maintenanceWindow?: DatabaseMaintenanceWindow;
  /** @default DEFAULT_INSIGHTS (on, no client addresses) */
  readonly insights?: DatabaseInsights;
  /** Statements slower than this are logged (`log_min_duration_statement`), in ms. @default 250 */
  readonly slowQueryMs?: number;
  /** The application database. @default "valorize" */
  readonly databaseName?: string;
  /** @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Accept only connections made through the Cloud SQL connectors (Auth Proxy or language
   * connectors), which authorise every connection with IAM. @default true
   */
  readonly requireConnectors?: boolean;
}

/**
 * Cloud SQL for PostgreSQL reachable only on a private IP, TLS required, IAM database
 * authentication for the runtime service accounts, backups with point-in-time recovery, a
 * maintenance window, Query Insights and deliberately chosen flags.
 *
 * Runtime services authenticate as IAM users (`addIamUser`): no passwords. One built-in owner
 * (`addOwner`) exists only for the migration job, because creating schema objects and granting
 * them to the IAM users needs a role IAM users cannot be given through the API.
 */
export class Database extends Construct {
  readonly instance: SqlDatabaseInstance;
  readonly database: SqlDatabase;
  /** `project:region:instance`, what the Cloud SQL connectors take. */
  readonly connectionName: string;
  readonly privateIp: string;
  readonly databaseName: string;
  readonly maxConnections: number;
  private readonly props: DatabaseProps;
  private readonly clients = new Map<string, ProjectIamMember>();
  private readonly iamUsers = new Map<string, DatabaseUser>();

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    this.props = props;
    const backups = withDefaults(DEFAULT_BACKUPS, props.backups);
    const maintenanceWindow = withDefaults(DEFAULT_MAINTENANCE_WINDOW, props.maintenanceWindow);
    const insights = withDefaults(DEFAULT_INSIGHTS, props.insights);
    const deletionProtection = props.deletionProtection ?? true;
    const edition = props.edition ?? "ENTERPRISE";
    this.maxConnections = props.maxConnections;
    this.databaseName = props.databaseName ?? "valorize";

    this.instance = new SqlDatabaseInstance(this, "instance", {
      project: props.project,
      name: cloudSqlInstanceName(props.namePrefix),
      region: props.region,
      databaseVersion: props.version ?? "POSTGRES_16",
      deletionProtection,
      settings: {
        edition,
        tier: props.tier ?? "db-custom-2-7680",
        availabilityType: props.availabilityType ?? "REGIONAL",
        diskType: "PD_SSD",
        diskSize: props.diskSizeGb ?? 20,
        diskAutoresize: true,
        diskAutoresizeLimit: props.diskAutoresizeLimitGb ?? 0,
        deletionProtectionEnabled: deletionProtection,
        retainBackupsOnDelete: deletionProtection,
        connectorEnforcement: props.requireConnectors === false ? "NOT_REQUIRED" : "REQUIRED",
        userLabels: props.labels ? { ...props.labels } : undefined,
        dataCacheConfig: edition === "ENTERPRISE_PLUS" ? { dataCacheEnabled: true } : undefined,
        ipConfiguration: {
          ipv4Enabled: false,
          privateNetwork: props.network.network.id,
          allocatedIpRange: props.network.privateServicesRange.name,
          sslMode: "ENCRYPTED_ONLY",
        },
        backupConfiguration: {
          enabled: backups.enabled,
          startTime: backups.startTime,
          pointInTimeRecoveryEnabled: backups.pointInTimeRecovery,
          transactionLogRetentionDays: backups.transactionLogRetentionDays,
          backupRetentionSettings: { retainedBackups: backups.retainedBackups, retentionUnit: "COUNT" },
        },
        maintenanceWindow: { day: maintenanceWindow.day, hour: maintenanceWindow.hour, updateTrack: maintenanceWindow.updateTrack },
        insightsConfig: {
          queryInsightsEnabled: insights.enabled,
          queryStringLength: insights.queryStringLength,
          recordApplicationTags: true,
          recordClientAddress: insights.recordClientAddress,
        },
        databaseFlags: Object.entries(databaseFlags(props.slowQueryMs ?? 250, props.maxConnections)).map(([name, value]) => ({ name, value })),
      },
      dependsOn: [props.network.privateServicesConnection],
    });

    this.database = new SqlDatabase(this, "database", {
      project: props.project,
      instance: this.instance.name,
      name: this.databaseName,
      // With deletion protection the database outlives a mistaken removal from code.
      deletionPolicy: deletionProtection ? "ABANDON" : "DELETE",
    });

    this.connectionName = this.instance.connectionName;
    this.privateIp = this.instance.privateIpAddress;
  }

  /**
   * Creates the PostgreSQL user for a service account (IAM database authentication) and lets the
   * account connect. Returns the user name the app passes as `DB_USER`. Idempotent per identity.
   */
  addIamUser(identity: IServiceAccountGrantee): DatabaseUser {
    const id = identity.grantId;
    const existing = this.iamUsers.get(id);
    if (existing) return existing;
    const user = new SqlUser(this, `iam-user-${id}`, {
      project: this.props.project,
      instance: this.instance.name,
      // Cloud SQL names an IAM service account user by its email without the domain suffix.
      name: Fn.trimsuffix(identity.email, ".gserviceaccount.com"),
      type: "CLOUD_IAM_SERVICE_ACCOUNT",
      // Users holding SQL grants cannot be dropped through the API; abandon instead of failing.
      deletionPolicy: "ABANDON",
    });
    const grants = this.grantConnect(identity, ["roles/cloudsql.client", "roles/cloudsql.instanceUser"]);
    const created: DatabaseUser = { name: user.name, dependables: [user, ...grants] };
    this.iamUsers.set(id, created);
    return created;
  }

  /**
   * The built-in owner used only by the migration job. Its password arrives through a sensitive
   * variable and is written with the write-only argument, so it is never stored in state.
   */
  addOwner(identity: IServiceAccountGrantee, props: { readonly password: string; readonly passwordVersion: number }): DatabaseUser {
    const user = new SqlUser(this, `owner-${identity.grantId}`, {
      project: this.props.project,
      instance: this.instance.name,
      name: `${this.props.namePrefix.replace(/-/g, "_")}_owner`,
      type: "BUILT_IN",
      passwordWo: props.password,
      passwordWoVersion: props.passwordVersion,
      deletionPolicy: "ABANDON",
    });
    const grants = this.grantConnect(identity, ["roles/cloudsql.client"]);
    return { name: user.name, dependables: [user, ...grants] };
  }

  /** Project-level Cloud SQL roles, conditioned on this instance only. */
  private grantConnect(identity: IServiceAccountGrantee, roles: readonly string[]): ProjectIamMember[] {
    const id = identity.grantId;
    return roles.map((role) => {
      const key = `${id}-${role}`;
      const existing = this.clients.get(key);
      if (existing) return existing;
      const grant = new ProjectIamMember(this, `${id}-${role.split(".").pop()}`, {
        project: this.props.project,
        role,
        member: identity.member,
        condition: {
          title: `only-${this.props.namePrefix}-pg`,
          description: "Limits the grant to the platform's Cloud SQL instance.",
          expression: `resource.name == "projects/${this.props.project}/instances/${this.instance.name}" && resource.service == "sqladmin.googleapis.com"`,
        },
      });
      this.clients.set(key, grant);
      return grant;
    });
  }
}

/** The database flags, each chosen on purpose. */
export function databaseFlags(slowQueryMs: number, maxConnections: number): Record<string, string> {
  return {
    // Sized from the services' connection budget (ConnectionBudget) rather than left to the tier default.
    max_connections: String(maxConnections),
    // IAM database authentication for the runtime service accounts.
    "cloudsql.iam_authentication": "on",
    // Slow statements in the logs; the threshold comes from config.
    log_min_duration_statement: String(slowQueryMs),
    log_lock_waits: "on",
    log_temp_files: "0",
    log_checkpoints: "on",
    // A session idle inside a transaction holds locks and a pooled connection; end it.
    idle_in_transaction_session_timeout: "60000",
  };
}
