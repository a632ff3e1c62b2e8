import type { FollowUp } from "../../../domain/follow-ups";
import type { OutboxRepository } from "../../../domain/ports";
import type { Queryable } from "./rows";

export const outboxRepository = (db: Queryable): OutboxRepository => ({
  async add(followUp: FollowUp) {
    const { rows } = await db.query({ name: "outbox_add", text: "INSERT INTO outbox (follow_up) VALUES ($1::jsonb) RETURNING id::text", values: [JSON.stringify(followUp)] });
    return rows[0]!.id as string;
  },
  async claimDue(limit, leaseSeconds) {
    // SKIP LOCKED: instances sweeping at the same moment take different rows. The lease doubles
    // with each attempt (capped), so a follow-up that keeps failing does not spin.
    const { rows } = await db.query({
      name: "outbox_claim",
      text: `UPDATE outbox SET attempts = attempts + 1,
                 next_attempt_at = now() + make_interval(secs => LEAST($2::int * 2 ^ LEAST(attempts, 4), 300))
             WHERE id IN (SELECT id FROM outbox WHERE next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
             RETURNING id::text, follow_up`,
      values: [limit, leaseSeconds],
    });
    return rows.map((row) => ({ id: row.id as string, followUp: row.follow_up as FollowUp }));
  },
  async remove(ids) {
    if (ids.length === 0) return;
    await db.query({ name: "outbox_remove", text: "DELETE FROM outbox WHERE id = ANY($1::bigint[])", values: [ids] });
  },
});
