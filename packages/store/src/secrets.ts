import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt parameters: N=2^15, r=8, p=3 — one of the equivalent settings in the OWASP Password
 * Storage Cheat Sheet (scrypt section), chosen for its 32 MiB per hash so that a few parallel
 * sign-ins stay affordable on small machines. The hash string records its parameters so they can
 * be raised later without invalidating stored hashes.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 3, keyLength: 32, saltLength: 16 } as const;

function scryptAsync(
  password: string,
  salt: Buffer,
  keyLength: number,
  options: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must exceed 128·N·r bytes (RFC 7914 §2) or node refuses.
    scrypt(
      password.normalize('NFC'),
      salt,
      keyLength,
      { ...options, maxmem: 256 * options.N * options.r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** `scrypt$N=…,r=…,p=…$<salt base64url>$<key base64url>` with a fresh per-user salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(PARAMS.saltLength);
  const key = await scryptAsync(password, salt, PARAMS.keyLength, PARAMS);
  return `scrypt$N=${PARAMS.N},r=${PARAMS.r},p=${PARAMS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const HASH = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** Constant-time check of `password` against a stored hash; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = HASH.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Refuse absurd parameters from a tampered row rather than hang or exhaust memory.
  if (N > 2 ** 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(m[4] ?? '', 'base64url');
  const expected = Buffer.from(m[5] ?? '', 'base64url');
  const key = await scryptAsync(password, salt, expected.length, { N, r, p });
  return timingSafeEqual(key, expected);
}

let dummyHash: Promise<string> | undefined;
/** Spend the same work for an unknown account as for a known one, so timing does not tell. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('interdict-timing-equaliser');
  await verifyPassword(password, await dummyHash);
}

/** 32 random bytes, base64url: session ids and token secrets. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * The CSRF token of a session: HMAC-SHA256 keyed by the session secret (the "synchronizer token"
 * pattern of the OWASP CSRF cheat sheet, derived instead of stored). It is bound to the session and
 * useless without the HttpOnly cookie, which scripts on other origins cannot read.
 */
export function csrfTokenFor(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('interdict-csrf-v1').digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A readable one-time password: 20 characters from a 32-letter alphabet (100 bits). */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += alphabet[b % 32];
  return out;
}

export const API_TOKEN_PREFIX = 'idt_';
