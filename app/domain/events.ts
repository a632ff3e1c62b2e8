/**
 * Realtime events pushed to a tenant's connected clients. They carry the ids and fields involved
 * so a client can update its view without refetching.
 */
/** A transaction as events carry it (and as the dashboard keeps it): the API's view of one, in part. */
export interface TransactionPayload {
  readonly id: string;
  readonly account_id: string;
  readonly amount: string;
  readonly description: string;
  readonly occurred_at: string;
  readonly category_id: string | null;
}

export type RealtimeEvent =
  | { readonly type: "transaction.created"; readonly transaction: TransactionPayload }
  | {
      readonly type: "transaction.categorised";
      readonly transaction_id: string;
      readonly account_id: string;
      readonly category_id: string;
      readonly category_name: string;
      /**
       * Set when a delivery that found the transaction already categorised announces it again (a
       * redelivery finishing what an earlier delivery may not have): the categorisation was
       * applied once, by the delivery whose event has no `repeat`. Clients treat both alike.
       */
      readonly repeat?: true;
    }
  | { readonly type: "account.balance_changed"; readonly account_id: string; readonly balance: string }
  | {
      readonly type: "import.progress";
      readonly import_id: string;
      readonly account_id: string;
      readonly status: string;
      readonly total_rows: number;
      readonly processed_rows: number;
      readonly imported_rows: number;
    }
  | {
      readonly type: "budget.exceeded";
      readonly budget_id: string;
      readonly category_id: string;
      readonly month: string;
      readonly limit: string;
      readonly spent: string;
    }
  | { readonly type: "notification"; readonly notification_id: string; readonly kind: string; readonly data: Readonly<Record<string, unknown>> };
