/**
 * The worker's check of a pushed task, in the model the stacks deploy: the worker keeps Cloud
 * Run's IAM invoker check on (`invoker_iam_disabled = false`, a custom audience, the tasks identity
 * holding `run.invoker`), so the platform verifies the Google-signed OIDC token of every push and
 * only then hands the request to the container, with the token's signature removed:
 *
 * - "Cloud Run removes the token signature before passing the token to the user container"
 *   (Cloud Run, Authenticating service-to-service,
 *   https://cloud.google.com/run/docs/authenticating/service-to-service); the third JWT segment
 *   then reads `SIGNATURE_REMOVED_BY_GOOGLE` (Cloud Run troubleshooting,
 *   https://cloud.google.com/run/docs/troubleshooting#signature-removed).
 * - The token may come in `Authorization` or `X-Serverless-Authorization`; when both are present
 *   Cloud Run checks only `X-Serverless-Authorization` and passes `Authorization` through
 *   untouched (same page, "Acquire the ID token"; confirmed by Cloud Run's product manager in
 *   GoogleCloudPlatform/cloud-run-proxy#25). So the token read here is the one Cloud Run checked:
 *   `X-Serverless-Authorization` when present, else `Authorization` (where Cloud Tasks puts it).
 *
 * The signature cannot be verified again, so the app checks what the platform leaves it: a
 * well-formed JWT whose signature segment is exactly the marker, Google's issuer, our audience,
 * the tasks service account (verified e-mail) and an unexpired token. A token that still carries a
 * signature did not pass through Cloud Run's check (with the check on, every forwarded token is
 * stripped): in this model only the platform-verified path is legitimate, so it is refused too.
 * Every refusal is a 401 whose code names the reason and whose `fields` name the header or claim.
 *
 * No JWT library: with no signature to verify, what is left is base64url JSON (Node's Buffer).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { TaskPushIdentity } from "../../../environments/task-queues";
import { DomainError } from "../../domain/errors";

/** The third segment Cloud Run puts in place of the signature it verified. */
export const SIGNATURE_REMOVED = "SIGNATURE_REMOVED_BY_GOOGLE";

/**
 * The `iss` of Google ID tokens: either form (Google Identity, "Verify the Google ID token on your
 * server side"; google-auth-library's OAuth2Client accepts the same two).
 */
export const GOOGLE_ISSUERS: readonly string[] = ["https://accounts.google.com", "accounts.google.com"];

/** Allowance for clocks that disagree, in seconds (google-auth-library's own default). */
export const CLOCK_SKEW_SECONDS = 300;

/** Headers in the order Cloud Run reads them: the first present is the one it checked. */
const TOKEN_HEADERS = ["x-serverless-authorization", "authorization"] as const;

export type TaskRefusal =
  | "missing_token"
  | "malformed_token"
  | "token_not_platform_verified"
  | "wrong_issuer"
  | "wrong_audience"
  | "wrong_identity"
  | "token_expired";

const refuse = (code: TaskRefusal, field: string, problem: string, message: string) =>
  new DomainError("unauthenticated", code, message, { [field]: problem });

/** The claims of a Google ID token minted for a service account (what Cloud Tasks sends). */
export interface GoogleIdTokenClaims {
  readonly iss: string;
  readonly aud: string;
  readonly azp?: string;
  readonly sub: string;
  readonly email: string;
  readonly email_verified: boolean;
  readonly iat: number;
  readonly exp: number;
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

function decode(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A token as Cloud Run hands it to the container after its IAM check: Google's header and claims
 * for `identity`, signature replaced by the marker. The local dispatcher sends it, so the local
 * worker runs the cloud's check.
 */
export function forwardedIdToken(identity: TaskPushIdentity, options: { nowMs?: number; lifetimeSeconds?: number; claims?: Partial<GoogleIdTokenClaims> } = {}): string {
  const iat = Math.floor((options.nowMs ?? Date.now()) / 1000);
  // Google's ID tokens for a service account carry its numeric unique id as sub and azp.
  const subject = "100000000000000000001";
  const claims: GoogleIdTokenClaims = {
    iss: "https://accounts.google.com",
    aud: identity.audience,
    azp: subject,
    sub: subject,
    email: identity.serviceAccount,
    email_verified: true,
    iat,
    exp: iat + (options.lifetimeSeconds ?? 3600),
    ...options.claims,
  };
  return `${encode({ alg: "RS256", kid: "valorize-local", typ: "JWT" })}.${encode(claims)}.${SIGNATURE_REMOVED}`;
}

/** Why a forwarded token is not acceptable, or undefined when it is. */
export function checkForwardedToken(headers: IncomingHttpHeaders, identity: TaskPushIdentity, nowMs = Date.now()): DomainError | undefined {
  const header = TOKEN_HEADERS.find((name) => headers[name] !== undefined);
  if (!header) {
    return refuse("missing_token", "authorization", "missing", "a push must carry the Cloud Tasks OIDC token (Authorization: Bearer <token>)");
  }
  const value = headers[header];
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(typeof value === "string" ? value : "");
  const malformed = (problem: string) => refuse("malformed_token", header, problem, `the ${header} header does not hold a well-formed ID token: ${problem}`);
  if (!match) return malformed("expected Bearer <JWT>");
  const segments = match[1]!.split(".");
  if (segments.length !== 3) return malformed(`a JWT has 3 segments, this has ${segments.length}`);
  const [head, body, signature] = segments as [string, string, string];
  if (!decode(head)) return malformed("the header segment is not base64url JSON");
  const claims = decode(body);
  if (!claims) return malformed("the claims segment is not base64url JSON");
  if (signature !== SIGNATURE_REMOVED) {
    return refuse(
      "token_not_platform_verified",
      header,
      `the signature segment is not ${SIGNATURE_REMOVED}`,
      `the token still carries a signature, so it did not pass Cloud Run's IAM check (which replaces it with ${SIGNATURE_REMOVED}); only platform-verified pushes are accepted`,
    );
  }
  if (typeof claims.exp !== "number") return malformed("the exp claim is missing");

  if (typeof claims.iss !== "string" || !GOOGLE_ISSUERS.includes(claims.iss)) {
    return refuse("wrong_issuer", "iss", `is ${JSON.stringify(claims.iss)}, not Google's`, "the token was not issued by Google");
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(identity.audience)) {
    return refuse("wrong_audience", "aud", `is ${JSON.stringify(claims.aud)}, not this worker's audience`, "the token was minted for another audience");
  }
  if (claims.email !== identity.serviceAccount) {
    return refuse("wrong_identity", "email", `is ${JSON.stringify(claims.email)}, not the tasks service account`, "the token was not issued to the tasks service account");
  }
  if (claims.email_verified !== true) {
    return refuse("wrong_identity", "email_verified", `is ${JSON.stringify(claims.email_verified)}, expected true`, "the token's e-mail is not verified");
  }
  if (claims.exp + CLOCK_SKEW_SECONDS < nowMs / 1000) {
    return refuse("token_expired", "exp", `expired at ${new Date(claims.exp * 1000).toISOString()}`, "the token has expired");
  }
  return undefined;
}

/** The worker's guard: throws the refusal (a 401 through the error handler) unless the push is acceptable. */
export function taskPushAuthenticator(identity: TaskPushIdentity, clock: () => number = Date.now) {
  return (headers: IncomingHttpHeaders): void => {
    const refusal = checkForwardedToken(headers, identity, clock());
    if (refusal) throw refusal;
  };
}
