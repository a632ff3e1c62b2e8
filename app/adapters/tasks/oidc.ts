/**
 * Defense in depth behind Cloud Run's IAM check: a pushed task must carry a Google-signed OIDC
 * token for our audience, minted for the tasks service account.
 */
import { OAuth2Client } from "google-auth-library";
import { unauthenticated } from "../../domain/errors";
import { bearerToken } from "../http/bearer";

export function oidcTaskAuthenticator(settings: { audience: string; serviceAccount: string }, client = new OAuth2Client()) {
  return async (authorization: string | undefined): Promise<void> => {
    const token = bearerToken(authorization);
    if (!token) throw unauthenticated("a Cloud Tasks OIDC bearer token is required");
    let email: string | undefined;
    let verified: boolean | undefined;
    try {
      const payload = (await client.verifyIdToken({ idToken: token, audience: settings.audience })).getPayload();
      email = payload?.email;
      verified = payload?.email_verified;
    } catch {
      throw unauthenticated("the OIDC token is invalid, expired or for another audience");
    }
    if (email !== settings.serviceAccount || verified !== true) {
      throw unauthenticated("the OIDC token was not issued to the tasks service account");
    }
  };
}
