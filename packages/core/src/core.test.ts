import { describe, expect, it } from 'vitest';
import { canonicalJson, CoreError, readCsv, sha256Hex, fromBase64, toBase64 } from './index';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys and normalises numbers as RFC 8785 §3.2 requires', () => {
    // Example from RFC 8785 §3.2.2 (number serialisation follows ECMAScript).
    expect(canonicalJson({ b: 1e21, a: [1.0, 'x'], c: { z: null, y: true } })).toBe(
      '{"a":[1,"x"],"b":1e+21,"c":{"y":true,"z":null}}',
    );
  });
  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson(undefined)).toThrow(CoreError);
  });
});

describe('sha256', () => {
  it('matches the FIPS 180-2 "abc" vector', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
  it('round-trips base64 and refuses non-canonical text', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    expect(() => fromBase64('AAE')).toThrow();
  });
});

describe('readCsv', () => {
  it('yields rows keyed by header with line numbers, across chunk boundaries', async () => {
    const rows = await collect(readCsv(['a,b\n1,', '2\n"x\ny",3\n']));
    expect(rows).toEqual([
      { line: 2, fields: { a: '1', b: '2' }, fieldCount: 2, headerCount: 2 },
      { line: 4, fields: { a: 'x\ny', b: '3' }, fieldCount: 2, headerCount: 2 },
    ]);
  });
  it('with relaxColumnCount, yields a short or long row with its field count', async () => {
    const rows = await collect(readCsv(['a,b\n1\n2,3,4\n'], { relaxColumnCount: true }));
    expect(rows).toEqual([
      { line: 2, fields: { a: '1', b: '' }, fieldCount: 1, headerCount: 2 },
      { line: 3, fields: { a: '2', b: '3' }, fieldCount: 3, headerCount: 2 },
    ]);
  });
  it('names the missing columns', async () => {
    await expect(collect(readCsv(['a,b\n1,2\n'], { requiredColumns: ['a', 'c'] }))).rejects.toThrow(
      /missing column\(s\): c/,
    );
  });
  it('reports a malformed row with its line', async () => {
    const err = await collect(readCsv(['a,b\n1,2\n3,4,5\n'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoreError);
    expect((err as CoreError).code).toBe('CSV_MALFORMED');
    expect((err as CoreError).details?.line).toBe(3);
  });
  it('decodes latin1 bytes', async () => {
    const rows = await collect(
      readCsv([new Uint8Array([0x6e, 0x0a, 0x4a, 0x6f, 0x73, 0xe9, 0x0a])], { encoding: 'latin1' }),
    );
    expect(rows[0]?.fields.n).toBe('José');
  });
  it('refuses an empty input', async () => {
    await expect(collect(readCsv([]))).rejects.toThrow(/empty/);
  });
});

describe('canonicalJson refuses what RFC 8785 cannot canonicalise (hostile input)', () => {
  it('non-finite numbers, lone surrogates and deep nesting are typed errors, not crashes', async () => {
    const { canonicalJson, MAX_JSON_DEPTH } = await import('./canonical-json');
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    for (const bad of [Infinity, { a: NaN }, 'a\ud800b', { ['k\udc00']: 1 }, deep]) {
      expect(() => canonicalJson(bad)).toThrow(
        expect.objectContaining({ code: 'JSON_NOT_CANONICALIZABLE' }),
      );
    }
    let ok: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH - 1; i++) ok = [ok];
    expect(canonicalJson(ok)).toBe(
      '['.repeat(MAX_JSON_DEPTH - 1) + '1' + ']'.repeat(MAX_JSON_DEPTH - 1),
    );
    expect(canonicalJson({ b: 'é😀', a: 1 })).toBe('{"a":1,"b":"é😀"}');
  });
});
