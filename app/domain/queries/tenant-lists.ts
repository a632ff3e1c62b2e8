import type { Database, JsonDocument, ReadCache } from "../ports";
import { accountView, categoryView } from "../read-models";

type ListDeps = { readonly db: Database; readonly cache: ReadCache };

/** The tenant's accounts with balances, as JSON (cached; every write of the tenant refreshes it). */
export function listAccounts(deps: ListDeps, userId: string): Promise<JsonDocument> {
  return deps.cache.getOrLoad(userId, "accounts", async () =>
    JSON.stringify({ data: (await deps.db.repos.accounts.list(userId)).map(accountView) }),
  );
}

export function listCategories(deps: ListDeps, userId: string): Promise<JsonDocument> {
  return deps.cache.getOrLoad(userId, "categories", async () =>
    JSON.stringify({ data: (await deps.db.repos.categories.list(userId)).map(categoryView) }),
  );
}
