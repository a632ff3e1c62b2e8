import { DEFAULT_CATEGORIES, defaultRules } from "../categorisation";
import { DomainError, unauthenticated } from "../errors";
import type { Database, PasswordHasher, TokenStore } from "../ports";
import { userView } from "../read-models";

export interface AuthDeps {
  readonly db: Database;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenStore;
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/**
 * Creates a tenant with its default categories and categorisation rules (one transaction) and
 * signs it in.
 */
export async function registerUser(deps: AuthDeps, input: { email: string; password: string; name: string }) {
  const passwordHash = await deps.hasher.hash(input.password);
  const user = await deps.db.transaction(async (repos) => {
    const created = await repos.users.insert({ email: normaliseEmail(input.email), name: input.name.trim(), passwordHash });
    if (!created) {
      throw new DomainError("conflict", "email_taken", "this email is already registered", { email: "is already registered" });
    }
    const categories = await repos.categories.insertMany(created.id, DEFAULT_CATEGORIES);
    await repos.rules.insertMany(created.id, defaultRules(new Map(categories.map((c) => [c.name, c.id]))));
    return created;
  });
  return { user: userView(user), token: await deps.tokens.issue(user.id) };
}

/** Hash compared when the email is unknown, so both failures take the same time. */
let decoyHash: Promise<string> | undefined;

export async function login(deps: AuthDeps, input: { email: string; password: string }) {
  const found = await deps.db.repos.users.findCredentials(normaliseEmail(input.email));
  decoyHash ??= deps.hasher.hash("decoy-password-for-timing");
  const valid = await deps.hasher.verify(input.password, found?.passwordHash ?? (await decoyHash));
  if (!found || !valid) throw unauthenticated("invalid email or password");
  return { token: await deps.tokens.issue(found.user.id) };
}
