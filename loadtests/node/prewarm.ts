/**
 * Cache pre-warming before the read load, as the study did: every list page the read scenario
 * will ask for is fetched once, so the run measures the warm path.
 */
import { Pool } from "undici";
import { listTransactionsPath, type LoadUser } from "../requests";

/** Variants of the list request per account (listTransactionsPath cycles filters and pages). */
const VARIANTS_PER_ACCOUNT = 16;

export async function prewarm(baseUrl: string, users: readonly LoadUser[], concurrency = 16): Promise<number> {
  const pool = new Pool(baseUrl, { connections: concurrency });
  const requests = users.flatMap((user) =>
    Array.from({ length: VARIANTS_PER_ACCOUNT * user.accountIds.length }, (_, i) => ({ user, path: listTransactionsPath(user, i, Date.now()) })),
  );
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < requests.length; i = next++) {
          const { user, path } = requests[i]!;
          const response = await pool.request({ path, method: "GET", headers: { authorization: `Bearer ${user.token}` } });
          await response.body.dump();
        }
      }),
    );
    return requests.length;
  } finally {
    await pool.close();
  }
}
