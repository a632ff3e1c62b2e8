/** The Database's option groups (backups, maintenance, Query Insights) and their safe defaults. */

export interface DatabaseBackups {
  /** @default true */
  readonly enabled?: boolean;
  /** Start of the daily backup window (UTC, HH:MM). @default "02:00" */
  readonly startTime?: string;
  /** @default true */
  readonly pointInTimeRecovery?: boolean;
  /** Write-ahead log kept for PITR, in days (1-7 on ENTERPRISE, up to 35 on ENTERPRISE_PLUS). @default 7 */
  readonly transactionLogRetentionDays?: number;
  /** @default 14 */
  readonly retainedBackups?: number;
}

export interface DatabaseMaintenanceWindow {
  /** 1 = Monday ... 7 = Sunday. @default 7 */
  readonly day?: number;
  /** Hour of day (UTC). @default 3 */
  readonly hour?: number;
  /** @default "stable" */
  readonly updateTrack?: "canary" | "stable" | "week5";
}

export interface DatabaseInsights {
  /** @default true */
  readonly enabled?: boolean;
  /** @default 1024 */
  readonly queryStringLength?: number;
  /** Client addresses are personal data in some jurisdictions. @default false */
  readonly recordClientAddress?: boolean;
}

type Resolved<T> = { readonly [K in keyof T]-?: Exclude<T[K], undefined> };

export const DEFAULT_BACKUPS: Resolved<DatabaseBackups> = { enabled: true, startTime: "02:00", pointInTimeRecovery: true, transactionLogRetentionDays: 7, retainedBackups: 14 };
export const DEFAULT_MAINTENANCE_WINDOW: Resolved<DatabaseMaintenanceWindow> = { day: 7, hour: 3, updateTrack: "stable" };
export const DEFAULT_INSIGHTS: Resolved<DatabaseInsights> = { enabled: true, queryStringLength: 1024, recordClientAddress: false };
