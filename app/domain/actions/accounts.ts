import type { Database, ReadCache } from "../ports";
import { accountView } from "../read-models";

export async function createAccount(
  deps: { readonly db: Database; readonly cache: ReadCache },
  userId: string,
  input: { name: string; currency: string },
) {
  const account = await deps.db.repos.accounts.insert(userId, { name: input.name.trim(), currency: input.currency });
  await deps.cache.invalidate(userId);
  return accountView(account);
}
