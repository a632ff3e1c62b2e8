import type { Queryable } from "./rows";

/** Hashed API tokens (the token itself is never stored). */
export const tokenRepository = (db: Queryable) => ({
  async insert(tokenHash: Buffer, userId: string, expiresAt: Date): Promise<void> {
    await db.query("INSERT INTO api_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)", [tokenHash, userId, expiresAt]);
  },
  async findActive(tokenHash: Buffer): Promise<{ userId: string; expiresAt: Date } | undefined> {
    const { rows } = await db.query({
      name: "tokens_find_active",
      text: "SELECT user_id, expires_at FROM api_tokens WHERE token_hash = $1 AND expires_at > now()",
      values: [tokenHash],
    });
    return rows[0] ? { userId: rows[0].user_id as string, expiresAt: rows[0].expires_at as Date } : undefined;
  },
});
export type TokenRepository = ReturnType<typeof tokenRepository>;
