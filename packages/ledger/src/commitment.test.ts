import { canonicalJson, sha256Hex } from '@interdict/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLeaf, parseOpening, sealCommitment, verifyLeaf, verifyOpening } from './commitment';
import { sealEnvelope } from './envelope';
import { hashLeaf } from './merkle';
import { nodeEd25519 } from './node-crypto';
import { ed25519Signer, ed25519Verifier } from './note';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function orgKey(name: string, fill = 5) {
  const signer = await ed25519Signer(name, new Uint8Array(32).fill(fill), nodeEd25519);
  return { signer, verifier: ed25519Verifier(name, signer.publicKey, nodeEd25519) };
}

describe('v2 leaves: hiding commitments', () => {
  it('reveal nothing but a commitment; the opening names type, organisation and time', async () => {
    const { signer, verifier } = await orgKey('org-customs-a');
    const body = enc('{"decision":"dismiss","entity":"ofac-1234"}');
    const sealed = await sealCommitment(
      {
        type: 'screening.decision',
        organisation: 'org-customs-a',
        time: '2026-12-01T10:00:00.000Z',
        body,
      },
      signer,
    );
    const leafText = dec(sealed.leaf);
    expect(Object.keys(JSON.parse(leafText) as object).sort()).toEqual(['commitment', 'v']);
    // Nothing the v1 leaf carried in clear appears in the public leaf.
    for (const secret of ['screening', 'org-customs-a', '2026-12-01', sha256Hex(body)])
      expect(leafText).not.toContain(secret);
    expect(hashLeaf(sealed.leaf)).toEqual(sealed.leafHash);
    const claims = await verifyOpening(sealed.leaf, sealed.opening, [verifier], body);
    expect(claims).toMatchObject({
      v: 2,
      type: 'screening.decision',
      organisation: 'org-customs-a',
      time: '2026-12-01T10:00:00.000Z',
      bodySha256: sha256Hex(body),
    });
    await expect(
      verifyLeaf(sealed.leaf, [verifier], { opening: sealed.opening }),
    ).resolves.toMatchObject({ v: 2 });
  });

  it('the same record with a different salt gives a different leaf; a guessed body cannot be confirmed', async () => {
    const { signer } = await orgKey('org-a');
    const input = {
      type: 'note',
      organisation: 'org-a',
      time: '2026-12-01T10:00:00.000Z',
      body: enc('confirm'),
    };
    const a = await sealCommitment(input, signer);
    const b = await sealCommitment(input, signer);
    expect(dec(a.leaf)).not.toBe(dec(b.leaf));
    // A public reader who guesses everything but the salt: a v1 leaf was confirmed this way (the
    // same claims always gave the same leaf); a v2 leaf is not reproduced without its salt.
    const guess = await sealCommitment(input, signer, new Uint8Array(32));
    expect(dec(guess.leaf)).not.toBe(dec(a.leaf));
    const v1a = await sealEnvelope(input, signer);
    const v1b = await sealEnvelope(input, signer);
    expect(dec(v1a.bytes)).toBe(dec(v1b.bytes));
    // With the salt known, the commitment is reproducible (binding, deterministic).
    const salt = Uint8Array.from(Buffer.from(a.claims.salt, 'base64'));
    const again = await sealCommitment(input, signer, salt);
    expect(dec(again.leaf)).toBe(dec(a.leaf));
  });

  it('binds: another opening, body, key or a tampered field does not verify', async () => {
    const { signer, verifier } = await orgKey('org-a');
    const other = await orgKey('org-a', 6);
    const input = {
      type: 'note',
      organisation: 'org-a',
      time: '2026-12-01T10:00:00.000Z',
      body: enc('x'),
    };
    const a = await sealCommitment(input, signer);
    const b = await sealCommitment(input, signer);
    await expect(verifyOpening(a.leaf, b.opening, [verifier])).rejects.toMatchObject({
      code: 'BODY_HASH_MISMATCH',
    });
    await expect(verifyOpening(a.leaf, a.opening, [verifier], enc('y'))).rejects.toMatchObject({
      code: 'BODY_HASH_MISMATCH',
    });
    await expect(verifyOpening(a.leaf, a.opening, [other.verifier])).rejects.toMatchObject({
      code: 'ENVELOPE_BAD_SIGNATURE',
    });
    // Re-signing a changed opening with the right key still fails: the leaf commits to the bytes.
    const tampered = enc(dec(a.opening).replace('"note"', '"nota"'));
    await expect(verifyOpening(a.leaf, tampered, [verifier])).rejects.toMatchObject({
      code: 'BODY_HASH_MISMATCH',
    });
    await expect(verifyLeaf(a.leaf, [verifier])).rejects.toMatchObject({
      code: 'ENVELOPE_MALFORMED',
    });
    await expect(sealCommitment({ ...input, organisation: 'org-b' }, signer)).rejects.toMatchObject(
      { code: 'ENVELOPE_MALFORMED' },
    );
  });

  it('parses strictly: exact fields, canonical form, known versions', async () => {
    const { signer } = await orgKey('org-a');
    const a = await sealCommitment(
      { type: 'note', organisation: 'org-a', time: new Date(0), body: enc('x') },
      signer,
    );
    const leaf = JSON.parse(dec(a.leaf)) as Record<string, unknown>;
    const bad = (v: unknown) => () => parseLeaf(enc(typeof v === 'string' ? v : canonicalJson(v)));
    expect(bad({ ...leaf, extra: 1 })).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }),
    );
    expect(bad({ ...leaf, v: 3 })).toThrow(expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }));
    expect(bad({ ...leaf, commitment: 'ABC' })).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }),
    );
    expect(bad(JSON.stringify(leaf, null, 1))).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }),
    );
    expect(bad('[]')).toThrow(expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }));
    const opening = JSON.parse(dec(a.opening)) as Record<string, unknown>;
    expect(() => parseOpening(enc(canonicalJson({ ...opening, salt: 'AAAA' })))).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }),
    );
  });

  it('version-1 leaves still parse and verify', async () => {
    const { signer, verifier } = await orgKey('org-a');
    const body = enc('{"old":"record"}');
    const v1 = await sealEnvelope(
      { type: 'note', organisation: 'org-a', time: new Date(0), body },
      signer,
    );
    expect(parseLeaf(v1.bytes)).toMatchObject({ v: 1, type: 'note' });
    await expect(verifyLeaf(v1.bytes, [verifier], { body })).resolves.toMatchObject({
      v: 1,
      organisation: 'org-a',
    });
    await expect(verifyOpening(v1.bytes, enc('{}'), [verifier])).rejects.toMatchObject({
      code: 'ENVELOPE_MALFORMED',
    });
  });

  it('property: any body, type and time round-trips, and two seals never share a leaf', async () => {
    const { signer, verifier } = await orgKey('org-a');
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/),
        fc.date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true }),
        async (body, type, time) => {
          const x = await sealCommitment({ type, organisation: 'org-a', time, body }, signer);
          const y = await sealCommitment({ type, organisation: 'org-a', time, body }, signer);
          expect(dec(x.leaf)).not.toBe(dec(y.leaf));
          const c = await verifyOpening(x.leaf, x.opening, [verifier], body);
          expect(c.type).toBe(type);
        },
      ),
      { numRuns: 50 },
    );
  });
});
