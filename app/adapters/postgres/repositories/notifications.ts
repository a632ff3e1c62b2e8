import { notFound } from "../../../domain/errors";
import type { NotificationRepository } from "../../../domain/ports";
import { isPgError, PG_FOREIGN_KEY_VIOLATION, type Queryable } from "./rows";

export const notificationRepository = (db: Queryable): NotificationRepository => ({
  async insertOnce(userId, key, kind, data) {
    try {
      const { rows } = await db.query(
        `INSERT INTO notifications (user_id, dedupe_key, kind, data) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id`,
        [userId, key, kind, JSON.stringify(data)],
      );
      return rows[0] ? { id: rows[0].id as string } : undefined;
    } catch (error) {
      if (isPgError(error, PG_FOREIGN_KEY_VIOLATION)) throw notFound("User", "user_id");
      throw error;
    }
  },
  async listRecent(userId, limit) {
    const { rows } = await db.query({
      name: "notifications_recent",
      text: "SELECT id, kind, data, created_at FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
      values: [userId, limit],
    });
    return rows.map((row) => ({ id: row.id as string, kind: row.kind as string, data: row.data as Record<string, unknown>, createdAt: row.created_at as Date }));
  },
});
