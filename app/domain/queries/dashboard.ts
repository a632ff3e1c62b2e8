/**
 * The reads a dashboard needs besides accounts and transactions: this month's spending per
 * category, the latest notifications and the latest imports. A client loads them on start and
 * again after its realtime connection was down, to catch up on what it missed.
 */
import { monthOf } from "../budgets";
import type { Database, JsonDocument, ReadCache } from "../ports";
import { importView, notificationView, spendingView } from "../read-models";

/** How many notifications and imports a dashboard shows. */
export const RECENT_NOTIFICATIONS = 20;
export const RECENT_IMPORTS = 10;

/**
 * Spending per category in a calendar month (UTC, as budgets count it): `month` as YYYY-MM, the
 * current month when undefined. Cached like the other reads; every write of the tenant (a
 * transaction, a categorisation, an import, a budget) refreshes it.
 */
export function monthSpending(deps: { readonly db: Database; readonly cache: ReadCache }, userId: string, month: string | undefined, now = new Date()): Promise<JsonDocument> {
  const { start, end, label } = monthOf(month ? new Date(`${month}-01T00:00:00Z`) : now);
  return deps.cache.getOrLoad(userId, `spending|${label}`, async () =>
    JSON.stringify(spendingView(label, await deps.db.repos.budgets.monthSpending(userId, start, end))),
  );
}

/** Not cached: the worker records notifications without touching the api's cache. */
export async function recentNotifications(deps: { readonly db: Database }, userId: string) {
  return { data: (await deps.db.repos.notifications.listRecent(userId, RECENT_NOTIFICATIONS)).map(notificationView) };
}

/** Not cached: imports move along in the worker, as GET /api/imports/{id} does. */
export async function recentImports(deps: { readonly db: Database }, userId: string) {
  return { data: (await deps.db.repos.imports.listRecent(userId, RECENT_IMPORTS)).map(importView) };
}
