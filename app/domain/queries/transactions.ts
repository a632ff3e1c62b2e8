import { notFound } from "../errors";
import type { Database, JsonDocument, ReadCache, TransactionFilter } from "../ports";
import { transactionView } from "../read-models";

export const MAX_PER_PAGE = 100;

/** The cache key of one page: every filter field, in a fixed order. */
function viewKey(filter: TransactionFilter): string {
  return [
    "tx",
    filter.accountId ?? "",
    filter.categoryId ?? "",
    filter.from?.toISOString() ?? "",
    filter.to?.toISOString() ?? "",
    filter.page,
    filter.perPage,
  ].join("|");
}

/**
 * A page of the tenant's transactions, newest first, as JSON. Served from the tenant's read cache;
 * on a miss it loads the page and stores it. A filter naming an account or category that is not
 * the tenant's gets a 404. Rows are selected by the tenant's user_id and the composite foreign keys
 * tie their account and category to that tenant, so a page with rows already proves the filters
 * are the tenant's own: the ownership checks (one more round trip) run only for an empty page.
 */
export function listTransactions(deps: { readonly db: Database; readonly cache: ReadCache }, userId: string, filter: TransactionFilter): Promise<JsonDocument> {
  const { repos } = deps.db;
  return deps.cache.getOrLoad(userId, viewKey(filter), async () => {
    const rows = await repos.transactions.list(userId, filter);
    if (rows.length === 0) {
      const [accountOk, categoryOk] = await Promise.all([
        filter.accountId ? repos.accounts.exists(userId, filter.accountId) : true,
        filter.categoryId ? repos.categories.find(userId, filter.categoryId).then(Boolean) : true,
      ]);
      if (!accountOk) throw notFound("Account", "account_id");
      if (!categoryOk) throw notFound("Category", "category_id");
    }
    return JSON.stringify({
      data: rows.slice(0, filter.perPage).map(transactionView),
      page: filter.page,
      per_page: filter.perPage,
      has_more: rows.length > filter.perPage,
    });
  });
}
