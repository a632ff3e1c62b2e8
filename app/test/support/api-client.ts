/**
 * Drives an in-process api through fastify's inject (the whole HTTP pipeline: parsing, hooks,
 * validation, error handling) against the real PostgreSQL and Redis of an isolated test corner.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { randomUUID } from "node:crypto";

export interface Tenant {
  readonly token: string;
  readonly userId: string;
  readonly email: string;
  readonly accountId: string;
}

export class ApiClient {
  constructor(readonly app: FastifyInstance) {}

  request(options: InjectOptions & { token?: string }): Promise<LightMyRequestResponse> {
    const { token, headers, ...rest } = options;
    return this.app.inject({ ...rest, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  }

  get(url: string, token?: string) {
    return this.request({ method: "GET", url, token });
  }

  post(url: string, body: unknown, token?: string, headers: Record<string, string> = {}) {
    return this.request({ method: "POST", url, payload: body as InjectOptions["payload"], token, headers });
  }

  /** A new tenant with one EUR account. */
  async tenant(name = "Test User"): Promise<Tenant> {
    const email = `user-${randomUUID()}@example.com`;
    const registered = await this.post("/api/auth/register", { email, password: "correct horse battery", name });
    if (registered.statusCode !== 201) throw new Error(`register failed: ${registered.statusCode} ${registered.body}`);
    const { token, user } = registered.json();
    const account = await this.post("/api/accounts", { name: "Main", currency: "EUR" }, token);
    if (account.statusCode !== 201) throw new Error(`account failed: ${account.statusCode} ${account.body}`);
    return { token, userId: user.id, email, accountId: account.json().id };
  }

  async createTransaction(tenant: Tenant, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    return this.post(
      "/api/transactions",
      { account_id: tenant.accountId, amount: "-12.50", description: "Corner shop", occurred_at: "2025-03-04T10:00:00Z", ...body },
      tenant.token,
      headers,
    );
  }
}
