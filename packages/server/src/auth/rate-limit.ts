import type { Redis } from 'ioredis';

export interface RateRule {
  /** Attempts allowed within the window. */
  limit: number;
  windowMs: number;
}

/**
 * Sliding-window counter of attempts per key (a client IP, an account). The sign-in route asks
 * `retryAfter` before checking a password and records a `hit` for each failure. Behind several API
 * replicas use the Redis one, so an attacker cannot spread attempts across replicas.
 */
export interface RateLimiter {
  /** Seconds until one more attempt is allowed; 0 when allowed now. */
  retryAfter(key: string, rule: RateRule, now?: number): Promise<number>;
  hit(key: string, rule: RateRule, now?: number): Promise<void>;
  reset(key: string): Promise<void>;
}

/** One process's memory: right for a single instance (and the embedded default). */
export class MemoryRateLimiter implements RateLimiter {
  readonly #hits = new Map<string, number[]>();

  #prune(key: string, rule: RateRule, now: number): number[] {
    const kept = (this.#hits.get(key) ?? []).filter((t) => t > now - rule.windowMs);
    if (kept.length === 0) this.#hits.delete(key);
    else this.#hits.set(key, kept);
    return kept;
  }

  retryAfter(key: string, rule: RateRule, now = Date.now()): Promise<number> {
    const hits = this.#prune(key, rule, now);
    if (hits.length < rule.limit) return Promise.resolve(0);
    // The window slides: the attempt that drops out first frees the next slot.
    const freeAt = (hits[hits.length - rule.limit] ?? now) + rule.windowMs;
    return Promise.resolve(Math.max(1, Math.ceil((freeAt - now) / 1000)));
  }

  hit(key: string, rule: RateRule, now = Date.now()): Promise<void> {
    const hits = this.#prune(key, rule, now);
    hits.push(now);
    this.#hits.set(key, hits);
    // Bound memory against a flood of distinct keys: forget the oldest keys first.
    if (this.#hits.size > 100_000) {
      const oldest = this.#hits.keys().next().value;
      if (oldest !== undefined) this.#hits.delete(oldest);
    }
    return Promise.resolve();
  }

  reset(key: string): Promise<void> {
    this.#hits.delete(key);
    return Promise.resolve();
  }
}

/**
 * Redis sorted sets, one per key, scored by attempt time: ZREMRANGEBYSCORE drops attempts older
 * than the window, ZCARD counts the rest (the sliding-window-log algorithm). Shared by every
 * replica that points at the same Redis.
 */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'interdict:ratelimit:',
  ) {}

  async retryAfter(key: string, rule: RateRule, now = Date.now()): Promise<number> {
    const k = this.prefix + key;
    const results = await this.redis
      .multi()
      .zremrangebyscore(k, 0, now - rule.windowMs)
      .zrangebyscore(k, '-inf', '+inf', 'WITHSCORES')
      .exec();
    const flat = (results?.[1]?.[1] ?? []) as string[];
    const times: number[] = [];
    for (let i = 1; i < flat.length; i += 2) times.push(Number(flat[i]));
    if (times.length < rule.limit) return 0;
    const freeAt = (times[times.length - rule.limit] ?? now) + rule.windowMs;
    return Math.max(1, Math.ceil((freeAt - now) / 1000));
  }

  async hit(key: string, rule: RateRule, now = Date.now()): Promise<void> {
    const k = this.prefix + key;
    await this.redis
      .multi()
      .zadd(k, now, `${now}:${crypto.randomUUID()}`)
      .zremrangebyscore(k, 0, now - rule.windowMs)
      .pexpire(k, rule.windowMs)
      .exec();
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
