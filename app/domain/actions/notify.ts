import type { Database, EventPublisher } from "../ports";
import type { NotifyTask } from "../tasks";

/**
 * Records a notification and pushes it to the tenant. The (tenant, key) row is the dedupe record:
 * a concurrent duplicate waits on it and then finds it taken; if the push fails, the row rolls
 * back and the task is retried.
 */
export async function deliverNotification(deps: { readonly db: Database; readonly events: EventPublisher }, task: NotifyTask) {
  return deps.db.transaction(async (repos) => {
    const created = await repos.notifications.insertOnce(task.user_id, task.key, task.kind, task.data);
    if (!created) return { outcome: "duplicate" as const };
    await deps.events.publish(task.user_id, { type: "notification", notification_id: created.id, kind: task.kind, data: task.data });
    return { outcome: "delivered" as const, notification_id: created.id };
  });
}
