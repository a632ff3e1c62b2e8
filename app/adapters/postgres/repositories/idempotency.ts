import type { IdempotencyRepository } from "../../../domain/ports";
import type { Queryable } from "./rows";

/** Stores a SHA-256 of the request fingerprint, so a reused key with a different body is caught. */
export const idempotencyRepository = (db: Queryable): IdempotencyRepository => ({
  async claim(userId, key, requestFingerprint, response) {
    // Blocks on the primary key while another transaction holds the same key, then conflicts or not.
    const inserted = await db.query({
      name: "idempotency_claim",
      text: `INSERT INTO idempotency_keys (user_id, key, request_hash, response) VALUES ($1, $2, sha256(convert_to($3, 'UTF8')), $4)
             ON CONFLICT (user_id, key) DO NOTHING`,
      values: [userId, key, requestFingerprint, JSON.stringify(response)],
    });
    if (inserted.rowCount === 1) return { kind: "new" };
    const { rows } = await db.query({
      name: "idempotency_lookup",
      text: `SELECT request_hash = sha256(convert_to($3, 'UTF8')) AS same_request, response
             FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      values: [userId, key, requestFingerprint],
    });
    const row = rows[0];
    if (!row?.same_request) return { kind: "mismatch" };
    return { kind: "replay", response: row.response };
  },
});
