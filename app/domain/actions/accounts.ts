import type { FollowUps } from "../follow-ups";
import type { Database } from "../ports";
import { accountView } from "../read-models";

/** Creates an account; refreshing the tenant's cached lists follows the commit through the outbox. */
export async function createAccount(deps: { readonly db: Database; readonly followUps: FollowUps }, userId: string, input: { name: string; currency: string }) {
  const { account, pending } = await deps.db.transaction(async (repos) => {
    const inserted = await repos.accounts.insert(userId, { name: input.name.trim(), currency: input.currency });
    const followUp = { userId, invalidate: true, events: [], tasks: [] };
    return { account: inserted, pending: { id: await repos.outbox.add(followUp), followUp } };
  });
  await deps.followUps.afterCommit(pending);
  return accountView(account);
}
