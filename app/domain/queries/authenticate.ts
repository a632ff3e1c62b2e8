import { unauthenticated } from "../errors";
import type { TokenStore } from "../ports";

/** The tenant a bearer token belongs to; fails for a missing, unknown or expired token. */
export async function authenticate(tokens: TokenStore, token: string | undefined): Promise<string> {
  if (!token) throw unauthenticated();
  const userId = await tokens.resolve(token);
  if (!userId) throw unauthenticated("the bearer token is invalid or expired");
  return userId;
}
