/**
 * Google-style ID tokens with a real RS256 signature, from a key made here: what a caller holds
 * before Cloud Run's IAM check (which verifies and strips the signature). The worker must never
 * accept one, since a signed token reaching it did not pass that check.
 */
import { createSign, generateKeyPairSync } from "node:crypto";
import type { TaskPushIdentity } from "../../../environments/task-queues";
import { forwardedIdToken, SIGNATURE_REMOVED } from "../../adapters/tasks/oidc";

let keys: { privateKey: string; publicKey: string } | undefined;

/** One RSA key pair per test process; `kid` matches the header forwardedIdToken writes. */
export function signingKey(): { kid: string; privateKey: string; publicKey: string } {
  keys ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { kid: "valorize-local", ...keys };
}

/** The same header and claims forwardedIdToken produces, signed instead of stripped. */
export function signedIdToken(identity: TaskPushIdentity, options: Parameters<typeof forwardedIdToken>[1] = {}): string {
  const unsigned = forwardedIdToken(identity, options).slice(0, -SIGNATURE_REMOVED.length - 1);
  const signature = createSign("RSA-SHA256").update(unsigned).sign(signingKey().privateKey, "base64url");
  return `${unsigned}.${signature}`;
}
