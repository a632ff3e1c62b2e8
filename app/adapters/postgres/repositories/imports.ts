import type { ImportRepository } from "../../../domain/ports";
import { IMPORT_COLUMNS, type Queryable, toImport } from "./rows";

export const importRepository = (db: Queryable): ImportRepository => ({
  async insert(userId, accountId, csv, totalRows) {
    const { rows } = await db.query(
      `INSERT INTO imports (user_id, account_id, csv, total_rows) VALUES ($1, $2, $3, $4) RETURNING ${IMPORT_COLUMNS}`,
      [userId, accountId, csv, totalRows],
    );
    return toImport(rows[0]!);
  },
  async find(userId, importId) {
    const { rows } = await db.query(`SELECT ${IMPORT_COLUMNS} FROM imports WHERE id = $1 AND user_id = $2`, [importId, userId]);
    return rows[0] ? toImport(rows[0]) : undefined;
  },
  async csv(userId, importId) {
    const { rows } = await db.query("SELECT csv FROM imports WHERE id = $1 AND user_id = $2", [importId, userId]);
    return rows[0]?.csv as string | undefined;
  },
  async markRunning(importId) {
    await db.query("UPDATE imports SET status = 'running', updated_at = now() WHERE id = $1 AND status = 'pending'", [importId]);
  },
  async recordProgress(importId, processedRows) {
    // GREATEST: overlapping runs never move progress backwards.
    await db.query("UPDATE imports SET processed_rows = GREATEST(processed_rows, $2), updated_at = now() WHERE id = $1", [importId, processedRows]);
  },
  async complete(importId, importedRows) {
    const { rows } = await db.query(
      `UPDATE imports SET status = 'completed', processed_rows = total_rows, imported_rows = $2, updated_at = now()
       WHERE id = $1 RETURNING ${IMPORT_COLUMNS}`,
      [importId, importedRows],
    );
    return toImport(rows[0]!);
  },
  async fail(importId, error) {
    const { rows } = await db.query(
      `UPDATE imports SET status = 'failed', error = $2, updated_at = now() WHERE id = $1 RETURNING ${IMPORT_COLUMNS}`,
      [importId, error],
    );
    return toImport(rows[0]!);
  },
  async listRecent(userId, limit) {
    const { rows } = await db.query({
      name: "imports_recent",
      text: `SELECT ${IMPORT_COLUMNS} FROM imports WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      values: [userId, limit],
    });
    return rows.map(toImport);
  },
});
