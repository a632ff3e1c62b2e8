/**
 * scrypt from node:crypto (memory-hard, no native add-on to bundle). It runs on libuv's thread
 * pool, so hashing does not block the event loop. Format: scrypt$N$r$p$salt$hash (base64url).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import type { PasswordHasher } from "../../domain/ports";

const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export class ScryptPasswordHasher implements PasswordHasher {
  /** N = 2^14 costs ~30 ms and 16 MiB per hash: fine for sign-ups and logins, not for every request. */
  constructor(private readonly cost: { N: number; r: number; p: number } = { N: 16_384, r: 8, p: 1 }) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, this.cost);
    const { N, r, p } = this.cost;
    return ["scrypt", N, r, p, salt.toString("base64url"), key.toString("base64url")].join("$");
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const [scheme, N, r, p, salt, expected] = encoded.split("$");
    if (scheme !== "scrypt" || !salt || !expected) return false;
    const key = await derive(password, Buffer.from(salt, "base64url"), { N: Number(N), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
    const expectedKey = Buffer.from(expected, "base64url");
    return key.length === expectedKey.length && timingSafeEqual(key, expectedKey);
  }
}
