import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { SqlDatabase } from "@cdktf/provider-google/lib/sql-database";
import { SqlDatabaseInstance } from "@cdktf/provider-google/lib/sql-database-instance";
import { SqlUser } from "@cdktf/provider-google/lib/sql-user";
import type { z } from "zod";
import type { databaseSchema } from "../environments/schema";
import { Construct, Fn, type ITerraformDependable } from "../lib/cdktf";
import { cloudSqlInstanceName, serviceAccountMember } from "../lib/google";
import type { Network } from "./network";

export type DatabaseSettings = z.output<typeof databaseSchema>;

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
  /** Sizing and safety settings; every field has a safe default in environments/schema.ts. */
  readonly settings: DatabaseSettings;
  /** `max_connections`, normally from `ConnectionBudget.maxConnections`. */
  readonly maxConnections: number;
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
    const s = props.settings;
    this.maxConnections = props.maxConnections;

    this.instance = new SqlDatabaseInstance(this, "instance", {
      project: props.project,
      name: cloudSqlInstanceName(props.namePrefix),
      region: props.region,
      databaseVersion: s.version,
      deletionProtection: s.deletionProtection,
      settings: {
        edition: s.edition,
        tier: s.tier,
        availabilityType: s.availabilityType,
        diskType: "PD_SSD",
        diskSize: s.diskSizeGb,
        diskAutoresize: true,
        diskAutoresizeLimit: s.diskAutoresizeLimitGb,
        deletionProtectionEnabled: s.deletionProtection,
        retainBackupsOnDelete: s.deletionProtection,
        connectorEnforcement: props.requireConnectors === false ? "NOT_REQUIRED" : "REQUIRED",
        userLabels: props.labels ? { ...props.labels } : undefined,
        dataCacheConfig: s.edition === "ENTERPRISE_PLUS" ? { dataCacheEnabled: true } : undefined,
        ipConfiguration: {
          ipv4Enabled: false,
          privateNetwork: props.network.network.id,
          allocatedIpRange: props.network.privateServicesRange.name,
          sslMode: "ENCRYPTED_ONLY",
        },
        backupConfiguration: {
          enabled: s.backups.enabled,
          startTime: s.backups.startTime,
          pointInTimeRecoveryEnabled: s.backups.pointInTimeRecovery,
          transactionLogRetentionDays: s.backups.transactionLogRetentionDays,
          backupRetentionSettings: { retainedBackups: s.backups.retainedBackups, retentionUnit: "COUNT" },
        },
        maintenanceWindow: {
          day: s.maintenanceWindow.day,
          hour: s.maintenanceWindow.hour,
          updateTrack: s.maintenanceWindow.updateTrack,
        },
        insightsConfig: {
          queryInsightsEnabled: s.insights.enabled,
          queryStringLength: s.insights.queryStringLength,
          recordApplicationTags: true,
          recordClientAddress: s.insights.recordClientAddress,
        },
        databaseFlags: Object.entries(databaseFlags(s, props.maxConnections)).map(([name, value]) => ({ name, value })),
      },
      dependsOn: [props.network.privateServicesConnection],
    });

    this.database = new SqlDatabase(this, "database", {
      project: props.project,
      instance: this.instance.name,
      name: s.databaseName,
      // With deletion protection the database outlives a mistaken removal from code.
      deletionPolicy: s.deletionProtection ? "ABANDON" : "DELETE",
    });

    this.connectionName = this.instance.connectionName;
    this.privateIp = this.instance.privateIpAddress;
    this.databaseName = s.databaseName;
  }

  /**
   * Creates the PostgreSQL user for a service account (IAM database authentication) and lets the
   * account connect. Returns the user name the app passes as `DB_USER`. Idempotent per id.
   */
  addIamUser(id: string, serviceAccountEmail: string): DatabaseUser {
    const existing = this.iamUsers.get(id);
    if (existing) return existing;
    const user = new SqlUser(this, `iam-user-${id}`, {
      project: this.props.project,
      instance: this.instance.name,
      // Cloud SQL names an IAM service account user by its email without the domain suffix.
      name: Fn.trimsuffix(serviceAccountEmail, ".gserviceaccount.com"),
      type: "CLOUD_IAM_SERVICE_ACCOUNT",
      // Users holding SQL grants cannot be dropped through the API; abandon instead of failing.
      deletionPolicy: "ABANDON",
    });
    const grants = this.grantConnect(id, serviceAccountEmail, ["roles/cloudsql.client", "roles/cloudsql.instanceUser"]);
    const created: DatabaseUser = { name: user.name, dependables: [user, ...grants] };
    this.iamUsers.set(id, created);
    return created;
  }

  /**
   * The built-in owner used only by the migration job. Its password arrives through a sensitive
   * variable and is written with the write-only argument, so it is never stored in state.
   */
  addOwner(id: string, props: { readonly serviceAccountEmail: string; readonly password: string; readonly passwordVersion: number }): DatabaseUser {
    const user = new SqlUser(this, `owner-${id}`, {
      project: this.props.project,
      instance: this.instance.name,
      name: `${this.props.namePrefix.replace(/-/g, "_")}_owner`,
      type: "BUILT_IN",
      passwordWo: props.password,
      passwordWoVersion: props.passwordVersion,
      deletionPolicy: "ABANDON",
    });
    const grants = this.grantConnect(id, props.serviceAccountEmail, ["roles/cloudsql.client"]);
    return { name: user.name, dependables: [user, ...grants] };
  }

  /** Project-level Cloud SQL roles, conditioned on this instance only. */
  private grantConnect(id: string, serviceAccountEmail: string, roles: readonly string[]): ProjectIamMember[] {
    return roles.map((role) => {
      const key = `${id}-${role}`;
      const existing = this.clients.get(key);
      if (existing) return existing;
      const grant = new ProjectIamMember(this, `${id}-${role.split(".").pop()}`, {
        project: this.props.project,
        role,
        member: serviceAccountMember(serviceAccountEmail),
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
export function databaseFlags(settings: DatabaseSettings, maxConnections: number): Record<string, string> {
  return {
    // Sized from the services' connection budget (ConnectionBudget) rather than left to the tier default.
    max_connections: String(maxConnections),
    // IAM database authentication for the runtime service accounts.
    "cloudsql.iam_authentication": "on",
    // Slow statements in the logs; the threshold comes from config.
    log_min_duration_statement: String(settings.slowQueryMs),
    log_lock_waits: "on",
    log_temp_files: "0",
    log_checkpoints: "on",
    // A session idle inside a transaction holds locks and a pooled connection; end it.
    idle_in_transaction_session_timeout: "60000",
  };
}
