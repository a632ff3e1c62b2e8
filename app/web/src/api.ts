/**
 * The dashboard's client for the JSON API on its own origin. The token travels only in the
 * Authorization header (never in a URL); a refusal becomes an ApiError with the server's code,
 * message and fields.
 */
import type { TransactionPayload } from "../../domain/events";

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly currency: string;
  readonly balance: string;
}
/** The API's transactions carry more fields; the dashboard keeps those its live events carry too. */
export type Transaction = TransactionPayload;
export interface Category {
  readonly id: string;
  readonly name: string;
}
export interface Spending {
  readonly month: string;
  readonly data: ReadonlyArray<{ readonly category_id: string | null; readonly spent: string; readonly monthly_limit: string | null }>;
}
export interface Import {
  readonly id: string;
  readonly account_id: string;
  readonly status: string;
  readonly total_rows: number;
  readonly processed_rows: number;
  readonly imported_rows: number;
  readonly error?: string | null;
}
export interface Notification {
  readonly id: string;
  readonly kind: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly created_at: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

interface Body {
  readonly body?: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export class Api {
  constructor(private readonly token?: string) {}

  async request<T>(method: "GET" | "POST", path: string, { body, contentType = "application/json", headers = {} }: Body = {}): Promise<T> {
    const sent: Record<string, string> = { ...headers };
    if (this.token) sent.authorization = `Bearer ${this.token}`;
    if (body !== undefined) sent["content-type"] = contentType;
    let response: Response;
    try {
      response = await fetch(path, { method, headers: sent, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, "unreachable", "the server cannot be reached; try again");
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? "error", error?.message ?? `HTTP ${response.status}`, error?.fields);
    }
    return json as T;
  }

  clientConfig = () => this.request<{ realtime_url: string }>("GET", "/api/client-config");
  register = (body: { name: string; email: string; password: string }) =>
    this.request<{ user: { name: string; email: string }; token: string }>("POST", "/api/auth/register", { body });
  login = (body: { email: string; password: string }) => this.request<{ token: string }>("POST", "/api/auth/login", { body });
  accounts = () => this.request<{ data: Account[] }>("GET", "/api/accounts");
  openAccount = (body: { name: string; currency: string }) => this.request<Account>("POST", "/api/accounts", { body });
  categories = () => this.request<{ data: Category[] }>("GET", "/api/categories");
  transactions = (perPage: number) => this.request<{ data: Transaction[] }>("GET", `/api/transactions?per_page=${perPage}`);
  /** With an Idempotency-Key: a retried submit (double click, flaky network) creates one transaction. */
  createTransaction = (body: { account_id: string; amount: string; description: string; occurred_at: string }, idempotencyKey: string) =>
    this.request<Transaction>("POST", "/api/transactions", { body, headers: { "idempotency-key": idempotencyKey } });
  spending = (month: string) => this.request<Spending>("GET", `/api/spending?month=${encodeURIComponent(month)}`);
  setBudget = (body: { category_id: string; monthly_limit: string }) => this.request<unknown>("POST", "/api/budgets", { body });
  imports = () => this.request<{ data: Import[] }>("GET", "/api/imports");
  startImport = (accountId: string, csv: string) =>
    this.request<{ id: string; status: string }>("POST", `/api/imports?account_id=${encodeURIComponent(accountId)}`, { body: csv, contentType: "text/csv" });
  notifications = () => this.request<{ data: Notification[] }>("GET", "/api/notifications");
}
