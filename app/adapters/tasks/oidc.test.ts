/**
 * The forwarded-token check on its own: the local stand-in token is a Google ID token as Google's
 * own library verifies one (before Cloud Run strips it), and the claim rules at their edges.
 * Over real HTTP, with every refusal, see app/test/worker.test.ts.
 */
import { OAuth2Client } from "google-auth-library";
import { describe, expect, it } from "vitest";
import { LOCAL_TASK_PUSH_IDENTITY } from "../../../environments/task-queues";
import { signedIdToken, signingKey } from "../../test/support/tokens";
import { CLOCK_SKEW_SECONDS, checkForwardedToken, forwardedIdToken, GOOGLE_ISSUERS, SIGNATURE_REMOVED } from "./oidc";

const identity = LOCAL_TASK_PUSH_IDENTITY;
const headers = (token: string) => ({ authorization: `Bearer ${token}` });

describe("forwarded push tokens", () => {
  it("mints what Google's verifier accepts as an ID token for the push identity, then strips it as Cloud Run does", async () => {
    const nowMs = Date.now();
    const signed = signedIdToken(identity, { nowMs });
    const { kid, publicKey } = signingKey();
    const ticket = await new OAuth2Client().verifySignedJwtWithCertsAsync(signed, { [kid]: publicKey }, identity.audience, GOOGLE_ISSUERS as string[]);
    expect(ticket.getPayload()).toMatchObject({ aud: identity.audience, email: identity.serviceAccount, email_verified: true, iss: "https://accounts.google.com" });

    const stripped = forwardedIdToken(identity, { nowMs });
    expect(stripped.split(".").slice(0, 2)).toEqual(signed.split(".").slice(0, 2));
    expect(stripped.split(".")[2]).toBe(SIGNATURE_REMOVED);
    expect(checkForwardedToken(headers(stripped), identity)).toBeUndefined();
    expect(checkForwardedToken(headers(signed), identity)?.code).toBe("token_not_platform_verified");
  });

  it("accepts exactly the issuers Google's library accepts for ID tokens", () => {
    expect(new OAuth2Client().issuers).toEqual(expect.arrayContaining([...GOOGLE_ISSUERS]));
    expect([...GOOGLE_ISSUERS].sort()).toEqual(["accounts.google.com", "https://accounts.google.com"]);
  });

  it("allows the clock skew past exp and not a second more", () => {
    const nowMs = Date.UTC(2026, 0, 1);
    const token = forwardedIdToken(identity, { nowMs, lifetimeSeconds: 60 });
    const exp = nowMs / 1000 + 60;
    expect(checkForwardedToken(headers(token), identity, (exp + CLOCK_SKEW_SECONDS) * 1000)).toBeUndefined();
    expect(checkForwardedToken(headers(token), identity, (exp + CLOCK_SKEW_SECONDS + 1) * 1000)?.code).toBe("token_expired");
  });

  it("accepts an audience list that holds the worker's, and no other", () => {
    const listed = forwardedIdToken(identity, { claims: { aud: ["other", identity.audience] as unknown as string } });
    expect(checkForwardedToken(headers(listed), identity)).toBeUndefined();
    const others = forwardedIdToken(identity, { claims: { aud: ["other"] as unknown as string } });
    expect(checkForwardedToken(headers(others), identity)?.code).toBe("wrong_audience");
  });
});
