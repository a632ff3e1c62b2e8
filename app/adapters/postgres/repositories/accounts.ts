import type { AccountRepository } from "../../../domain/ports";
import { ACCOUNT_COLUMNS, type Queryable, toAccount } from "./rows";

export const accountRepository = (db: Queryable): AccountRepository => ({
  async insert(userId, account) {
    const { rows } = await db.query(
      `INSERT INTO accounts (user_id, name, currency) VALUES ($1, $2, $3) RETURNING ${ACCOUNT_COLUMNS}`,
      [userId, account.name, account.currency],
    );
    return toAccount(rows[0]!);
  },
  async list(userId) {
    const { rows } = await db.query({
      name: "accounts_list",
      text: `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE user_id = $1 ORDER BY created_at, id`,
      values: [userId],
    });
    return rows.map(toAccount);
  },
  async exists(userId, accountId) {
    const { rowCount } = await db.query({
      name: "accounts_exists",
      text: "SELECT 1 FROM accounts WHERE id = $1 AND user_id = $2",
      values: [accountId, userId],
    });
    return rowCount === 1;
  },
  async addToBalance(userId, accountId, deltaCents) {
    const { rows } = await db.query({
      name: "accounts_add_to_balance",
      text: `UPDATE accounts SET balance_cents = balance_cents + $3, updated_at = now() WHERE id = $1 AND user_id = $2 RETURNING ${ACCOUNT_COLUMNS}`,
      values: [accountId, userId, deltaCents],
    });
    return rows[0] ? toAccount(rows[0]) : undefined;
  },
});
