import { readFileSync } from 'node:fs';
import { toHex } from '@interdict/core';
import { sharedData } from '@interdict/testkit';
import { describe, expect, it } from 'vitest';
import { openCheckpoint, parseCheckpoint, formatCheckpoint } from './checkpoint';
import { nobleEd25519 } from './crypto';
import { LedgerError } from './errors';
import { verifierFromVkey } from './keys';
import { hashLeaf, treeHash } from './merkle';
import { nodeEd25519 } from './node-crypto';
import {
  computeKeyId,
  ed25519Signer,
  ed25519Verifier,
  formatVkey,
  MAX_NOTE_SIGNATURES,
  openNote,
  parseNote,
  parseVkey,
  signNote,
  SIG_TYPE_ED25519,
} from './note';

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e instanceof LedgerError ? e.code : `not a LedgerError: ${String(e)}`;
  }
  return 'none';
}

// Known-answer vector: the "Example" of C2SP signed-note.md (https://github.com/C2SP/C2SP,
// commit 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9, CC BY 4.0), as cited in
// ../shared/data/merkle-vectors/SOURCE.md "Inline vectors in specs". Data only.
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n' +
  '\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

// The serverless-log test key, from ../shared/data/merkle-vectors/SOURCE.md §2 (upstream
// testdata/build_log.sh of transparency-dev/serverless-log at 932106dc).
const ASTRA_VKEY = 'astra+cad5a3d2+AZJqeuyE/GnknsCNh1eCtDtwdAwKBddOlS8M2eI1Jt4b';
const logDir = sharedData('merkle-vectors', 'serverless-log', 'testdata', 'log');

describe('C2SP signed-note example', () => {
  it('parses the vkey and its key ID matches', () => {
    const k = parseVkey(SPEC_VKEY);
    expect(k.name).toBe('example.com/foo');
    expect(k.type).toBe(SIG_TYPE_ED25519);
    expect(k.keyId.toString(16)).toBe('530d903a');
    expect(formatVkey(k.name, k.type, k.publicKey)).toBe(SPEC_VKEY);
  });
  it('verifies the example note with @noble and with node:crypto', async () => {
    for (const ed of [nobleEd25519, nodeEd25519]) {
      const opened = await openNote(SPEC_NOTE, [verifierFromVkey(SPEC_VKEY, ed)]);
      expect(opened.text).toBe('This is an example message.\n');
      expect(opened.verified).toHaveLength(1);
    }
  });
  it('rejects the example note when the text changes', async () => {
    expect(
      await code(
        openNote(SPEC_NOTE.replace('example message', 'example massage'), [
          verifierFromVkey(SPEC_VKEY),
        ]),
      ),
    ).toBe('NOTE_BAD_SIGNATURE');
  });
});

describe('serverless-log checkpoints', () => {
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < 15; i++) {
    leaves.push(readFileSync(`${logDir}/seq/00/00/00/00/${i.toString(16).padStart(2, '0')}`));
  }
  it('has the expected leaves', () => {
    expect(new TextDecoder().decode(leaves[0])).toBe('one');
    expect(new TextDecoder().decode(leaves[14])).toBe('fivten');
  });
  for (let n = 0; n <= 15; n++) {
    it(`checkpoint.${n} verifies with astra and its root is the MTH of the first ${n} leaves`, async () => {
      const note = readFileSync(`${logDir}/checkpoint.${n}`, 'utf8');
      const { checkpoint } = await openCheckpoint(
        note,
        [verifierFromVkey(ASTRA_VKEY, nodeEd25519)],
        'example.com/testdata',
      );
      expect(checkpoint.size).toBe(n);
      expect(toHex(checkpoint.root)).toBe(toHex(treeHash(leaves.slice(0, n).map(hashLeaf))));
      expect(formatCheckpoint(checkpoint)).toBe(parseNote(note).text);
    });
  }
  it('the astra key ID is SHA-256(name‖0x0A‖0x01‖key)[:4]', () => {
    const k = parseVkey(ASTRA_VKEY);
    expect(computeKeyId('astra', 1, k.publicKey).toString(16)).toBe('cad5a3d2');
  });
});

describe('signing, unknown keys, many signatures', () => {
  it('signs and verifies; ignores unknown keys; accepts 16+ signatures', async () => {
    const signers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ed25519Signer(`k${i}.example`, new Uint8Array(32).fill(i + 1), nodeEd25519),
      ),
    );
    const note = await signNote('hello\n', signers);
    const trusted = signers[17] as (typeof signers)[number];
    const opened = await openNote(note, [ed25519Verifier(trusted.name, trusted.publicKey)]);
    expect(opened.signatures).toHaveLength(20);
    expect(opened.verified.map((v) => v.verifier.name)).toEqual(['k17.example']);
  });
  it('ignores a key that shares the name but not the ID, then finds nothing verified', async () => {
    const a = await ed25519Signer('same.example', new Uint8Array(32).fill(1));
    const b = await ed25519Signer('same.example', new Uint8Array(32).fill(2));
    const note = await signNote('x\n', [a]);
    expect(await code(openNote(note, [ed25519Verifier(b.name, b.publicKey)]))).toBe(
      'NOTE_NO_VERIFIED_SIGNATURE',
    );
  });
  it('refuses more than the signature limit', async () => {
    const s = await ed25519Signer('a.example', new Uint8Array(32).fill(3));
    const note = await signNote(
      'x\n',
      Array.from({ length: MAX_NOTE_SIGNATURES + 1 }, () => s),
    );
    expect(await code(() => parseNote(note))).toBe('NOTE_TOO_MANY_SIGNATURES');
  });
});

describe('malformed notes, checkpoints and vkeys', () => {
  const sig = '\u2014 a.example AAAAAAAA\n';
  const cases: [string, string][] = [
    ['no final newline', 'text\n\n\u2014 a.example AAAAAAAA'],
    ['no blank line', 'text\n\u2014 a.example AAAAAAAA\n'],
    ['no signatures', 'text\n\n'],
    ['hyphen instead of em dash', 'text\n\n- a.example AAAAAAAA\n'],
    ['bad base64', 'text\n\n\u2014 a.example AAA*AAAA\n'],
    ['signature too short', 'text\n\n\u2014 a.example AAAA\n'],
    ['key name with plus', 'text\n\n\u2014 a+b AAAAAAAA\n'],
    ['control character', `te\u0001xt\n\n${sig}`],
    ['carriage return', `text\r\n\n${sig}`],
  ];
  for (const [name, note] of cases) {
    it(`refuses a note with ${name}`, async () => {
      expect(await code(() => parseNote(note))).toBe('NOTE_MALFORMED');
    });
  }
  it('refuses invalid UTF-8', async () => {
    expect(await code(() => parseNote(Uint8Array.from([0x78, 0xff, 0x0a, 0x0a])))).toBe(
      'NOTE_MALFORMED',
    );
  });
  const root = 'Wqx3HImawpLnS/Gv4ubjAvi1WIOy0b8Ze0amvqbavKk=';
  const cps: [string, string][] = [
    ['missing root line', 'origin\n3\n'],
    ['missing size and root', 'origin\n'],
    ['leading zero size', `origin\n03\n${root}\n`],
    ['negative size', `origin\n-3\n${root}\n`],
    ['short root', 'origin\n3\nAAAA\n'],
    ['empty origin', `\n3\n${root}\n`],
    ['empty extension line', `origin\n3\n${root}\n\nx\n`],
  ];
  for (const [name, text] of cps) {
    it(`refuses a checkpoint with ${name}`, async () => {
      expect(await code(() => parseCheckpoint(text))).toBe('CHECKPOINT_MALFORMED');
    });
  }
  it('accepts extension lines and keeps them', () => {
    expect(parseCheckpoint(`origin\n3\n${root}\next one\n`).extensions).toEqual(['ext one']);
  });
  it('refuses a checkpoint for another origin', async () => {
    const note = readFileSync(`${logDir}/checkpoint.3`, 'utf8');
    expect(
      await code(openCheckpoint(note, [verifierFromVkey(ASTRA_VKEY)], 'example.com/other')),
    ).toBe('CHECKPOINT_ORIGIN_MISMATCH');
  });
  it('refuses a checkpoint with an extra line inserted (signature fails)', async () => {
    const note = readFileSync(`${logDir}/checkpoint.3`, 'utf8').replace('\n\n', '\nextra\n\n');
    expect(await code(openCheckpoint(note, [verifierFromVkey(ASTRA_VKEY)]))).toBe(
      'NOTE_BAD_SIGNATURE',
    );
  });
  it('refuses vkeys with wrong key IDs or bad shapes', async () => {
    expect(
      await code(() => parseVkey('astra+cad5a3d3+AZJqeuyE/GnknsCNh1eCtDtwdAwKBddOlS8M2eI1Jt4b')),
    ).toBe('KEY_ID_MISMATCH');
    expect(await code(() => parseVkey('astra+cad5a3d2'))).toBe('VKEY_MALFORMED');
    expect(
      await code(() => parseVkey('astra+CAD5A3D2+AZJqeuyE/GnknsCNh1eCtDtwdAwKBddOlS8M2eI1Jt4b')),
    ).toBe('VKEY_MALFORMED');
    expect(await code(() => parseVkey('astra+cad5a3d2+AZJqeuyE'))).toBe('VKEY_MALFORMED');
  });
  it('a note signed by the right name but a wrong key ID is ignored, not trusted', async () => {
    const note = readFileSync(`${logDir}/checkpoint.3`, 'utf8');
    const other = await ed25519Signer('astra', new Uint8Array(32).fill(9));
    expect(await code(openCheckpoint(note, [ed25519Verifier('astra', other.publicKey)]))).toBe(
      'NOTE_NO_VERIFIED_SIGNATURE',
    );
  });
});
