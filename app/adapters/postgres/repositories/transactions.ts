import { notFound } from "../../../domain/errors";
import type { TransactionFilter, TransactionRepository } from "../../../domain/ports";
import { isPgError, PG_FOREIGN_KEY_VIOLATION, type Queryable, toTransaction, TRANSACTION_COLUMNS } from "./rows";

/**
 * The composite foreign keys (account_id, user_id) and (category_id, user_id) reject ids of other
 * tenants in the same statement as the insert; report them like missing ones.
 */
function tenantReferenceError(error: unknown): unknown {
  if (!isPgError(error, PG_FOREIGN_KEY_VIOLATION)) return error;
  const constraint = (error as { constraint?: string }).constraint;
  if (constraint === "transactions_account_fk") return notFound("Account", "account_id");
  if (constraint === "transactions_category_fk") return notFound("Category", "category_id");
  return error;
}

/**
 * The list query for a combination of filters. Each combination gets its own prepared statement
 * name; the (account_id | user_id [, category_id], occurred_at DESC, id DESC) indexes serve them.
 */
function listQuery(userId: string, filter: TransactionFilter) {
  const values: unknown[] = [userId];
  const conditions = ["user_id = $1"];
  const add = (column: string, operator: string, value: unknown) => {
    values.push(value);
    conditions.push(`${column} ${operator} $${values.length}`);
  };
  if (filter.accountId) add("account_id", "=", filter.accountId);
  if (filter.categoryId) add("category_id", "=", filter.categoryId);
  if (filter.from) add("occurred_at", ">=", filter.from);
  if (filter.to) add("occurred_at", "<=", filter.to);
  values.push(filter.perPage + 1, (filter.page - 1) * filter.perPage);
  const name = `tx_list_${[filter.accountId, filter.categoryId, filter.from, filter.to].map((f) => (f ? 1 : 0)).join("")}`;
  const text = `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE ${conditions.join(" AND ")}
                ORDER BY occurred_at DESC, id DESC LIMIT $${values.length - 1} OFFSET $${values.length}`;
  return { name, text, values };
}

export const transactionRepository = (db: Queryable): TransactionRepository => ({
  async record(entry, once, followUp) {
    // One statement, so atomic without BEGIN/COMMIT and a single round trip: claim the key (if
    // any, and only for the tenant's own account), then add to the balance and insert, both only
    // if the claim succeeded, and store the follow-up (with the new balance) in the outbox. Nothing
    // happens for a taken key or a foreign account.
    const { rows } = await db
      .query({
        name: "tx_record",
        text: `WITH claim AS (
                 INSERT INTO idempotency_keys (user_id, key, request_hash, response)
                 SELECT $1, $9, sha256(convert_to($10, 'UTF8')), $11::jsonb
                 WHERE $9::text IS NOT NULL AND EXISTS (SELECT 1 FROM accounts WHERE id = $2 AND user_id = $1)
                 ON CONFLICT (user_id, key) DO NOTHING
                 RETURNING 1),
               account AS (
                 UPDATE accounts SET balance_cents = balance_cents + $3, updated_at = now()
                 WHERE id = $2 AND user_id = $1 AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM claim))
                 RETURNING balance_cents),
               inserted AS (
                 INSERT INTO transactions (id, user_id, account_id, amount_cents, description, occurred_at, category_id, created_at)
                 SELECT $7, $1, $2, $3, $4, $5, $6, $8 FROM account
                 RETURNING 1),
               follow_up AS (
                 INSERT INTO outbox (follow_up)
                 SELECT jsonb_set($12::jsonb, '{balance}', jsonb_build_object('accountId', $2::text, 'balanceCents', account.balance_cents))
                 FROM account CROSS JOIN inserted WHERE $12::jsonb IS NOT NULL
                 RETURNING id)
               SELECT account.balance_cents, (SELECT id::text FROM follow_up) AS follow_up_id FROM account CROSS JOIN inserted`,
        values: [
          entry.userId,
          entry.accountId,
          entry.amountCents,
          entry.description,
          entry.occurredAt,
          entry.categoryId,
          entry.id,
          entry.createdAt,
          once?.key ?? null,
          once?.fingerprint ?? null,
          once ? JSON.stringify(once.response) : null,
          followUp ? JSON.stringify(followUp) : null,
        ],
      })
      .catch((error: unknown) => {
        throw tenantReferenceError(error);
      });
    if (rows[0]) return { kind: "recorded", balanceCents: rows[0].balance_cents as number, followUpId: (rows[0].follow_up_id as string | null) ?? undefined };
    if (once) {
      const { rows: claims } = await db.query({
        name: "tx_record_claim",
        text: `SELECT request_hash = sha256(convert_to($3, 'UTF8')) AS same_request, response
               FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
        values: [entry.userId, once.key, once.fingerprint],
      });
      const claim = claims[0];
      if (claim) return claim.same_request ? { kind: "replay", response: claim.response } : { kind: "mismatch" };
    }
    throw notFound("Account", "account_id");
  },
  async find(userId, transactionId) {
    const { rows } = await db.query({
      name: "tx_find",
      text: `SELECT ${TRANSACTION_COLUMNS} FROM transactions WHERE id = $1 AND user_id = $2`,
      values: [transactionId, userId],
    });
    return rows[0] ? toTransaction(rows[0]) : undefined;
  },
  async list(userId, filter) {
    const { rows } = await db.query(listQuery(userId, filter));
    return rows.map(toTransaction);
  },
  async assignCategoryIfUnset(userId, transactionId, categoryId) {
    const { rows } = await db.query({
      name: "tx_assign_category",
      text: `UPDATE transactions SET category_id = $3 WHERE id = $1 AND user_id = $2 AND category_id IS NULL RETURNING ${TRANSACTION_COLUMNS}`,
      values: [transactionId, userId, categoryId],
    });
    return rows[0] ? toTransaction(rows[0]) : undefined;
  },
  async insertImported(userId, accountId, importId, rows) {
    const { rows: result } = await db.query(
      `WITH inserted AS (
         INSERT INTO transactions (user_id, account_id, import_id, import_row, occurred_at, description, amount_cents, category_id)
         SELECT $1, $2, $3, r.row_number, r.occurred_at, r.description, r.amount_cents, r.category_id
         FROM unnest($4::int[], $5::timestamptz[], $6::text[], $7::bigint[], $8::uuid[])
           AS r(row_number, occurred_at, description, amount_cents, category_id)
         ON CONFLICT (import_id, import_row) WHERE import_id IS NOT NULL DO NOTHING
         RETURNING amount_cents)
       SELECT count(*)::int AS inserted_count, coalesce(sum(amount_cents), 0)::bigint AS amount_cents FROM inserted`,
      [
        userId,
        accountId,
        importId,
        rows.map((r) => r.row),
        rows.map((r) => r.occurredAt),
        rows.map((r) => r.description),
        rows.map((r) => r.amountCents),
        rows.map((r) => r.categoryId),
      ],
    );
    return { insertedCount: result[0]!.inserted_count as number, amountCents: result[0]!.amount_cents as number };
  },
  async countImported(importId) {
    const { rows } = await db.query("SELECT count(*)::int AS n FROM transactions WHERE import_id = $1", [importId]);
    return rows[0]!.n as number;
  },
});
