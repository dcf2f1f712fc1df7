import { createHash } from 'node:crypto';
import { canonicalJson } from '@interdict/core';
import { describe, expect, it } from 'vitest';
import { parseEnvelope, sealEnvelope, verifyEnvelope } from './envelope';
import { nodeEd25519 } from './node-crypto';
import { ed25519Signer, ed25519Verifier } from './note';

const enc = (s: string) => new TextEncoder().encode(s);

describe('leaf envelopes', () => {
  it('commit to the body hash and carry the organisation signature, in canonical JSON', async () => {
    const org = await ed25519Signer('org-customs-a', new Uint8Array(32).fill(5), nodeEd25519);
    const body = enc('{"seizure":"42 kg cocaine","port":"NLRTM"}');
    const sealed = await sealEnvelope(
      {
        type: 'seizure-report',
        organisation: 'org-customs-a',
        time: new Date('2026-11-24T21:00:00Z'),
        body,
      },
      org,
    );
    const text = new TextDecoder().decode(sealed.bytes);
    expect(text).toBe(canonicalJson(JSON.parse(text)));
    expect(sealed.envelope.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
    expect(sealed.envelope.time).toBe('2026-11-24T21:00:00.000Z');
    const trusted = [ed25519Verifier('org-customs-a', org.publicKey, nodeEd25519)];
    await expect(verifyEnvelope(sealed.bytes, trusted, body)).resolves.toMatchObject({
      type: 'seizure-report',
    });
    await expect(verifyEnvelope(sealed.bytes, trusted, enc('other body'))).rejects.toMatchObject({
      code: 'BODY_HASH_MISMATCH',
    });
    const other = await ed25519Signer('org-customs-a', new Uint8Array(32).fill(6), nodeEd25519);
    await expect(
      verifyEnvelope(sealed.bytes, [ed25519Verifier('org-customs-a', other.publicKey)]),
    ).rejects.toMatchObject({
      code: 'ENVELOPE_BAD_SIGNATURE',
    });
    // Changing any claim breaks the signature.
    const tampered = enc(text.replace('seizure-report', 'seizure-rep0rt'));
    await expect(verifyEnvelope(tampered, trusted)).rejects.toMatchObject({
      code: 'ENVELOPE_BAD_SIGNATURE',
    });
  });
  it('refuses non-canonical or incomplete envelopes', async () => {
    const org = await ed25519Signer('org-b', new Uint8Array(32).fill(5));
    const sealed = await sealEnvelope(
      { type: 'note', organisation: 'org-b', time: '2026-01-01T00:00:00.000Z', body: enc('x') },
      org,
    );
    const obj = JSON.parse(new TextDecoder().decode(sealed.bytes)) as Record<string, unknown>;
    expect(() => parseEnvelope(enc(JSON.stringify(obj, null, 1)))).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }),
    );
    const { keyId: _k, ...missing } = obj;
    expect(() => parseEnvelope(enc(canonicalJson(missing)))).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }),
    );
    expect(() => parseEnvelope(enc(canonicalJson({ ...obj, extra: 1 })))).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }),
    );
    expect(() => parseEnvelope(enc(canonicalJson({ ...obj, time: 'yesterday' })))).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }),
    );
    await expect(
      sealEnvelope({ type: 'note', organisation: 'org-c', time: new Date(), body: enc('x') }, org),
    ).rejects.toMatchObject({
      code: 'ENVELOPE_MALFORMED',
    });
  });
});
