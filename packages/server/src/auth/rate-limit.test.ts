import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './rate-limit';

// The project's machines and CI run Redis on 127.0.0.1:6379 (STACK.md); this test must not skip.
const redis = new Redis({
  host: '127.0.0.1',
  port: 6379,
  lazyConnect: true,
  maxRetriesPerRequest: 1,
});
const prefix = `interdict-test:${crypto.randomUUID()}:`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe.each([
  { name: 'memory', make: (): RateLimiter => new MemoryRateLimiter() },
  { name: 'redis', make: (): RateLimiter => new RedisRateLimiter(redis, prefix) },
])('$name rate limiter', ({ make }) => {
  const rule = { limit: 3, windowMs: 60_000 };

  it('allows `limit` attempts in a window, then says when the next one is allowed', async () => {
    const limiter = make();
    const t0 = 1_000_000_000_000;
    for (let i = 0; i < 3; i++) {
      expect(await limiter.retryAfter('ip:1', rule, t0 + i * 1000)).toBe(0);
      await limiter.hit('ip:1', rule, t0 + i * 1000);
    }
    // The first attempt (t0) leaves the window at t0 + 60 s.
    expect(await limiter.retryAfter('ip:1', rule, t0 + 10_000)).toBe(50);
    expect(await limiter.retryAfter('ip:2', rule, t0 + 10_000)).toBe(0);
    // The window slides: one slot frees when the oldest attempt ages out.
    expect(await limiter.retryAfter('ip:1', rule, t0 + 60_001)).toBe(0);
    await limiter.reset('ip:1');
    expect(await limiter.retryAfter('ip:1', rule, t0 + 10_000)).toBe(0);
  });
});

it('shares counts between limiters on the same Redis, as replicas would', async () => {
  const a = new RedisRateLimiter(redis, prefix);
  const b = new RedisRateLimiter(redis, prefix);
  const rule = { limit: 2, windowMs: 60_000 };
  const now = Date.now();
  await a.hit('acct:x', rule, now);
  await b.hit('acct:x', rule, now + 1);
  expect(await a.retryAfter('acct:x', rule, now + 2)).toBeGreaterThan(0);
  expect(await b.retryAfter('acct:x', rule, now + 2)).toBeGreaterThan(0);
});
