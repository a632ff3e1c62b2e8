/**
 * Counts categorisations as the realtime backplane announces them: one `transaction.categorised`
 * event per transaction whose update applied it (a redelivery that finds the row already
 * categorised announces `repeat: true`, so it is not counted). More than one for a transaction is
 * an effect applied twice. Shared by the async drain's audit and the resilience audit.
 */
export class CategorisationCounter {
  /** Announcements per transaction id. */
  readonly applied = new Map<string, number>();

  /** One event's JSON (anything else is ignored). */
  observe(message: string): void {
    let event: { type?: string; transaction_id?: string; repeat?: boolean };
    try {
      event = JSON.parse(message);
    } catch {
      return;
    }
    if (event.type === "transaction.categorised" && event.transaction_id && !event.repeat) {
      this.applied.set(event.transaction_id, (this.applied.get(event.transaction_id) ?? 0) + 1);
    }
  }

  /** Applications beyond the first, for a transaction. */
  duplicatesOf(id: string): number {
    return Math.max(0, (this.applied.get(id) ?? 0) - 1);
  }

  /** Applications beyond the first, over every transaction. */
  get duplicated(): number {
    let extra = 0;
    for (const count of this.applied.values()) extra += count - 1;
    return extra;
  }
}
