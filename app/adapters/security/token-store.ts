/**
 * Opaque bearer tokens: 32 random bytes, stored as an HMAC-SHA256 under TOKEN_SECRET (a leaked
 * table cannot be replayed without the secret). Lookups go through Redis (shared by every instance),
 * then PostgreSQL.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { TokenStore } from "../../domain/ports";
import type { TokenRepository } from "../postgres/repositories/tokens";
import type { RedisKeys } from "../redis/keys";

const TOKEN_PREFIX = "vz_";
const TOKEN_LIFETIME_MS = 30 * 24 * 3600 * 1000;
const CACHE_TTL_SECONDS = 3600;
/**
 * A short in-process layer in front of Redis: the hot read path then costs no HMAC and no round
 * trip for the token. Tokens are never revoked before expiry, so 30 s of staleness changes nothing.
 */
const LOCAL_CACHE = { max: 50_000, ttl: 30_000 } as const;
/** Anything else cannot be one of ours: rejected without touching Redis or the database. */
const TOKEN_SHAPE = /^vz_[A-Za-z0-9_-]{43}$/;

/** A fresh opaque token. */
export const newToken = (): string => TOKEN_PREFIX + randomBytes(32).toString("base64url");

/** What is stored for a token: HMAC-SHA256 under TOKEN_SECRET. */
export const hashToken = (secret: string, token: string): Buffer => createHmac("sha256", secret).update(token).digest();

export const tokenExpiry = (nowMs: number): Date => new Date(nowMs + TOKEN_LIFETIME_MS);

export class HashedTokenStore implements TokenStore {
  private readonly local = new LRUCache<string, string>(LOCAL_CACHE);

  constructor(
    private readonly deps: { repository: TokenRepository; redis: Redis; keys: RedisKeys; secret: string; now?: () => number },
  ) {}

  private hash(token: string): Buffer {
    return hashToken(this.deps.secret, token);
  }

  private ttlSeconds(expiresAt: Date): number {
    const now = this.deps.now?.() ?? Date.now();
    return Math.max(1, Math.min(CACHE_TTL_SECONDS, Math.floor((expiresAt.getTime() - now) / 1000)));
  }

  async issue(userId: string): Promise<string> {
    const token = newToken();
    const hash = this.hash(token);
    const expiresAt = tokenExpiry(this.deps.now?.() ?? Date.now());
    await this.deps.repository.insert(hash, userId, expiresAt);
    await this.deps.redis.set(this.deps.keys.token(hash.toString("base64url")), userId, "EX", this.ttlSeconds(expiresAt));
    return token;
  }

  async resolve(token: string): Promise<string | undefined> {
    const known = this.local.get(token);
    if (known) return known;
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const userId = await this.resolveShared(token);
    if (userId) this.local.set(token, userId);
    return userId;
  }

  private async resolveShared(token: string): Promise<string | undefined> {
    const hash = this.hash(token);
    const key = this.deps.keys.token(hash.toString("base64url"));
    const cached = await this.deps.redis.get(key);
    if (cached) return cached;
    const found = await this.deps.repository.findActive(hash);
    if (!found) return undefined;
    await this.deps.redis.set(key, found.userId, "EX", this.ttlSeconds(found.expiresAt));
    return found.userId;
  }
}
