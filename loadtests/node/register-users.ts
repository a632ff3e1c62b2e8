/**
 * Registers load users through the public API (sign-up, then one account each), as the study's
 * mixed scenario does in its setup. Used by the Node runner and, for the async publishers, by the
 * experiment; the k6 script does the same with k6's HTTP client.
 */
import { Pool } from "undici";
import { registrationFor, type LoadUser } from "../requests";

async function postJson(pool: Pool, path: string, body: unknown, token?: string): Promise<any> {
  for (let attempt = 1; ; attempt++) {
    const response = await pool.request({
      path,
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode === 201) return JSON.parse(text);
    // Sign-up is deliberately slow (password hashing): back off on overload instead of failing setup.
    if ((response.statusCode === 429 || response.statusCode >= 500) && attempt < 5) {
      await new Promise((r) => setTimeout(r, 200 * attempt));
      continue;
    }
    throw new Error(`POST ${path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
  }
}

export async function registerUsers(baseUrl: string, count: number, runId: string, concurrency = 8): Promise<LoadUser[]> {
  const pool = new Pool(baseUrl, { connections: concurrency });
  const users: LoadUser[] = new Array(count);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        for (let i = next++; i < count; i = next++) {
          const { register, account } = registrationFor(runId, i);
          const { token } = await postJson(pool, "/api/auth/register", register);
          const created = await postJson(pool, "/api/accounts", account, token);
          users[i] = { token, accountIds: [created.id] };
        }
      }),
    );
    return users;
  } finally {
    await pool.close();
  }
}
