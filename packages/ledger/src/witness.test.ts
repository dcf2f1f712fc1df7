import { describe, expect, it } from 'vitest';
import { openCheckpoint } from './checkpoint';
import {
  cosigner,
  cosignatureTimestamp,
  cosignatureVerifier,
  cosignatureMessage,
} from './cosignature';
import { hashLeaf, TreeHashes } from './merkle';
import { nodeEd25519 } from './node-crypto';
import {
  ed25519Signer,
  ed25519Verifier,
  parseNote,
  signNote,
  formatVkey,
  SIG_TYPE_COSIGNATURE_V1,
} from './note';
import { formatCheckpoint } from './checkpoint';
import { parsePolicy, verifyCheckpointWithPolicy } from './policy';
import { formatProofBundle, parseProofBundle, verifyProofBundle } from './proof-bundle';
import { verifierFromVkey } from './keys';
import {
  addCheckpoint,
  collectCosignatures,
  formatAddCheckpointRequest,
  memoryWitnessState,
  type WitnessOptions,
} from './witness';
import { LedgerError } from './errors';

const ORIGIN = 'log.example/a';
const enc = (s: string) => new TextEncoder().encode(s);

async function setup() {
  const log = await ed25519Signer(ORIGIN, new Uint8Array(32).fill(1), nodeEd25519);
  let clock = 1_767_139_200;
  const w1 = await cosigner(
    'witness.example/w1',
    new Uint8Array(32).fill(2),
    nodeEd25519,
    () => clock,
  );
  const w2 = await cosigner(
    'witness.example/w2',
    new Uint8Array(32).fill(3),
    nodeEd25519,
    () => clock,
  );
  const w3 = await cosigner(
    'witness.example/w3',
    new Uint8Array(32).fill(4),
    nodeEd25519,
    () => clock,
  );
  const tree = new TreeHashes();
  for (let i = 0; i < 40; i++) tree.append(hashLeaf(enc(`leaf ${i}`)));
  const note = async (size: number, root = tree.root(size)) =>
    signNote(formatCheckpoint({ origin: ORIGIN, size, root, extensions: [] }), [log]);
  const state = memoryWitnessState();
  const opts: WitnessOptions = {
    cosigner: w1,
    logs: new Map([[ORIGIN, [ed25519Verifier(ORIGIN, log.publicKey, nodeEd25519)]]]),
    state,
  };
  return { log, w1, w2, w3, tree, note, state, opts, tick: () => clock++ };
}

describe('tlog-witness add-checkpoint', () => {
  it('cosigns a first checkpoint, then consistent growth; the cosignature verifies', async () => {
    const s = await setup();
    const r1 = await addCheckpoint(s.opts, formatAddCheckpointRequest(0, [], await s.note(10)));
    expect(r1.status).toBe(200);
    const n20 = await s.note(20);
    const r2 = await addCheckpoint(
      s.opts,
      formatAddCheckpointRequest(10, s.tree.consistencyProof(10, 20), n20),
    );
    expect(r2.status).toBe(200);
    expect(r2.body).toMatch(/^\u2014 witness\.example\/w1 [A-Za-z0-9+/=]+\n$/);
    const cosigned = n20 + r2.body;
    const v = cosignatureVerifier(s.w1.name, s.w1.publicKey, nodeEd25519);
    const sig = parseNote(cosigned).signatures[1];
    expect(sig?.keyId).toBe(v.keyId);
    expect(cosignatureTimestamp(sig?.signature as Uint8Array)).toBe(1_767_139_200);
    // Independent check of the signed message with node:crypto over the spec's layout.
    const msg = cosignatureMessage(enc(parseNote(n20).text), 1_767_139_200);
    expect(new TextDecoder().decode(msg)).toBe(
      `cosignature/v1\ntime 1767139200\n${parseNote(n20).text}`,
    );
    expect(
      await nodeEd25519.verify(s.w1.publicKey, msg, (sig?.signature as Uint8Array).subarray(8)),
    ).toBe(true);
    expect(s.state.records.get(ORIGIN)?.size).toBe(20);
  });

  it('answers 404, 403, 400, 409, 422 as the spec says, and changes no state on refusal', async () => {
    const s = await setup();
    await addCheckpoint(s.opts, formatAddCheckpointRequest(0, [], await s.note(10)));
    const stranger = await ed25519Signer(
      'other.example/log',
      new Uint8Array(32).fill(9),
      nodeEd25519,
    );
    const foreign = await signNote(
      formatCheckpoint({
        origin: 'other.example/log',
        size: 1,
        root: s.tree.root(1),
        extensions: [],
      }),
      [stranger],
    );
    expect((await addCheckpoint(s.opts, formatAddCheckpointRequest(0, [], foreign))).status).toBe(
      404,
    );
    const forged = await signNote(
      formatCheckpoint({ origin: ORIGIN, size: 20, root: s.tree.root(20), extensions: [] }),
      [await ed25519Signer(ORIGIN, new Uint8Array(32).fill(8), nodeEd25519)],
    );
    expect(
      (
        await addCheckpoint(
          s.opts,
          formatAddCheckpointRequest(10, s.tree.consistencyProof(10, 20), forged),
        )
      ).status,
    ).toBe(403);
    expect(
      (await addCheckpoint(s.opts, formatAddCheckpointRequest(30, [], await s.note(20)))).status,
    ).toBe(400);
    expect(
      (await addCheckpoint(s.opts, 'old 10\nnot base64!\n\n' + (await s.note(20)))).status,
    ).toBe(400);
    expect((await addCheckpoint(s.opts, 'old 010\n\n' + (await s.note(20)))).status).toBe(400);
    expect(
      (await addCheckpoint(s.opts, 'old 10\n' + 'AAAA\n'.repeat(64) + '\n' + (await s.note(20))))
        .status,
    ).toBe(400);
    const stale = await addCheckpoint(
      s.opts,
      formatAddCheckpointRequest(5, s.tree.consistencyProof(5, 20), await s.note(20)),
    );
    expect(stale).toEqual({ status: 409, contentType: 'text/x.tlog.size', body: '10\n' });
    const wrongRoot = await s.note(10, s.tree.root(11));
    expect(
      (await addCheckpoint(s.opts, formatAddCheckpointRequest(10, [], wrongRoot))).status,
    ).toBe(409);
    const badProof = s.tree.consistencyProof(10, 20).map((h, i) => (i === 0 ? hashLeaf(h) : h));
    expect(
      (await addCheckpoint(s.opts, formatAddCheckpointRequest(10, badProof, await s.note(20))))
        .status,
    ).toBe(422);
    const fork = await s.note(20, hashLeaf(enc('fork')));
    expect(
      (
        await addCheckpoint(
          s.opts,
          formatAddCheckpointRequest(10, s.tree.consistencyProof(10, 20), fork),
        )
      ).status,
    ).toBe(422);
    expect(s.state.records.get(ORIGIN)?.size).toBe(10);
  });

  it('two concurrent requests from the same old size: exactly one wins (atomic compare-and-swap)', async () => {
    const s = await setup();
    await addCheckpoint(s.opts, formatAddCheckpointRequest(0, [], await s.note(10)));
    const [a, b] = await Promise.all([
      addCheckpoint(
        s.opts,
        formatAddCheckpointRequest(10, s.tree.consistencyProof(10, 30), await s.note(30)),
      ),
      addCheckpoint(
        s.opts,
        formatAddCheckpointRequest(10, s.tree.consistencyProof(10, 20), await s.note(20)),
      ),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
  });

  it('the log collects cosignatures, and a 2-of-3 policy verifies the result; tlog-proof bundles verify', async () => {
    const s = await setup();
    const witnesses = [s.w1, s.w2, s.w3].map((w) => {
      const opts = { ...s.opts, cosigner: w, state: memoryWitnessState() };
      return {
        verifier: cosignatureVerifier(w.name, w.publicKey, nodeEd25519),
        submit: (body: string) => addCheckpoint(opts, body),
      };
    });
    const known = new Map<string, number>();
    const proofs = (a: number, b: number) => s.tree.consistencyProof(a, b);
    const first = await collectCosignatures(
      await s.note(10),
      { origin: ORIGIN, size: 10, root: s.tree.root(10), extensions: [] },
      witnesses.slice(0, 2),
      proofs,
      known,
    );
    expect(first.cosigned.sort()).toEqual(['witness.example/w1', 'witness.example/w2']);
    // w3 has never seen the log; the log starts it from 0 and the others from 10 (learned).
    const second = await collectCosignatures(
      await s.note(25),
      { origin: ORIGIN, size: 25, root: s.tree.root(25), extensions: [] },
      witnesses,
      proofs,
      known,
    );
    expect(second.cosigned).toHaveLength(3);
    const policyText = [
      '# Interdict test policy',
      `log ${s.log.vkey}`,
      `witness A ${s.w1.vkey}`,
      `witness B\t${s.w2.vkey} https://b.example/`,
      `witness C ${s.w3.vkey}`,
      'group two-of-three 2 A B C',
      'quorum two-of-three',
      '',
    ].join('\n');
    const policy = parsePolicy(policyText, nodeEd25519);
    const verdict = await verifyCheckpointWithPolicy(second.note, policy);
    expect(verdict.checkpoint.size).toBe(25);
    expect([...verdict.witnesses].sort()).toEqual(['A', 'B', 'C']);
    // Only the log signature: quorum not met.
    await expect(verifyCheckpointWithPolicy(await s.note(25), policy)).rejects.toMatchObject({
      code: 'QUORUM_NOT_MET',
    });
    // tlog-proof bundle
    const bundle = formatProofBundle({
      index: 17,
      proof: s.tree.inclusionProof(17, 25),
      checkpoint: second.note,
      extra: enc('ctx'),
    });
    expect(bundle.startsWith('c2sp.org/tlog-proof@v1\nextra Y3R4\nindex 17\n')).toBe(true);
    const parsed = parseProofBundle(bundle);
    expect(parsed.index).toBe(17);
    expect((await verifyProofBundle(bundle, hashLeaf(enc('leaf 17')), policy)).size).toBe(25);
    await expect(verifyProofBundle(bundle, hashLeaf(enc('leaf 18')), policy)).rejects.toMatchObject(
      { code: 'ROOT_MISMATCH' },
    );
    await expect(
      verifyProofBundle(bundle, hashLeaf(enc('leaf 17')), [
        ed25519Verifier(ORIGIN, s.log.publicKey),
      ]),
    ).resolves.toBeTruthy();
  });
});

describe('tlog-policy parsing', () => {
  it('refuses malformed policies with the line number', async () => {
    const s = await setup();
    const bad: [string, RegExp][] = [
      [`witness A ${s.w1.vkey}\nquorum B\n`, /line 2/],
      [`witness A ${s.w1.vkey}\nwitness B ${s.w1.vkey}\nquorum A\n`, /duplicate public key/],
      [`witness A ${s.w1.vkey}\ngroup G 2 A\nquorum G\n`, /threshold/],
      [`witness A ${s.w1.vkey}\ngroup G any A A\nquorum G\n`, /listed twice/],
      [`witness A ${s.w1.vkey}\n`, /no quorum/],
      [`quorum none\nquorum none\n`, /more than one quorum/],
      [`log ${s.w1.vkey}\nquorum none\n`, /signature type/],
      [`witness A ${s.log.vkey}\nquorum A\n`, /signature type/],
      [`frobnicate\nquorum none\n`, /unknown keyword/],
      [`witness none ${s.w1.vkey}\nquorum none\n`, /already defined/],
    ];
    for (const [text, why] of bad) {
      let err: unknown;
      try {
        parsePolicy(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LedgerError);
      expect((err as LedgerError).code).toBe('POLICY_MALFORMED');
      expect((err as LedgerError).message).toMatch(why);
    }
  });
  it('accepts quorum none and nested groups', async () => {
    const s = await setup();
    expect(parsePolicy(`log ${s.log.vkey}\nquorum none\n`).quorum).toBe('none');
    const p = parsePolicy(
      `witness X1 ${s.w1.vkey}\nwitness X2 ${s.w2.vkey}\nwitness Y1 ${s.w3.vkey}\ngroup X all X1 X2\ngroup Y any Y1\ngroup XY all X Y\nquorum XY\n`,
    );
    expect(p.groups.get('XY')?.threshold).toBe(2);
  });
  it('cosigner vkeys carry type 0x04', async () => {
    const s = await setup();
    expect(s.w1.vkey).toBe(formatVkey(s.w1.name, SIG_TYPE_COSIGNATURE_V1, s.w1.publicKey));
    expect(verifierFromVkey(s.w1.vkey).type).toBe(4);
    const opened = await openCheckpoint(await s.note(3), [verifierFromVkey(s.log.vkey)]);
    expect(opened.checkpoint.size).toBe(3);
  });
});
