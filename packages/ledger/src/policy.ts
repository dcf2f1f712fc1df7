import { bytesEqual } from '@interdict/core';
import { openCheckpoint, type OpenedCheckpoint } from './checkpoint';
import { nobleEd25519, utf8, type Ed25519 } from './crypto';
import { fail, LedgerError } from './errors';
import { verifierFromVkey } from './keys';
import {
  keyIdHex,
  parseNote,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  type Note,
  type Verifier,
} from './note';

// C2SP tlog-policy: which logs are trusted, which witnesses, and the quorum rule (nested k-of-n
// groups) a checkpoint's cosignatures must satisfy.

export interface PolicyLog {
  readonly verifier: Verifier;
  readonly vkey: string;
  readonly url?: string;
}

export interface PolicyWitness {
  readonly name: string;
  readonly verifier: Verifier;
  readonly vkey: string;
  readonly url?: string;
}

export interface PolicyGroup {
  readonly name: string;
  readonly threshold: number;
  readonly members: readonly string[];
}

export interface Policy {
  readonly logs: readonly PolicyLog[];
  readonly witnesses: ReadonlyMap<string, PolicyWitness>;
  readonly groups: ReadonlyMap<string, PolicyGroup>;
  /** A witness or group name, or `none`. */
  readonly quorum: string;
}

/** Implementation limits the spec recommends supporting at least (§"Implementation limits"). */
export const MAX_POLICY_ENTRIES = 256;

export function parsePolicy(text: string, ed: Ed25519 = nobleEd25519): Policy {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) {
    fail('POLICY_MALFORMED', 'policy contains a control character other than tab and newline');
  }
  const logs: PolicyLog[] = [];
  const witnesses = new Map<string, PolicyWitness>();
  const groups = new Map<string, PolicyGroup>();
  const keys: Uint8Array[] = [];
  let quorum: string | undefined;
  const bad = (line: number, why: string): never =>
    fail('POLICY_MALFORMED', `policy line ${line}: ${why}`, { line });
  const defined = (name: string): boolean => witnesses.has(name) || groups.has(name);
  const addKey = (line: number, key: Uint8Array): void => {
    if (keys.some((k) => bytesEqual(k, key))) bad(line, 'duplicate public key');
    keys.push(key);
  };
  const vkeyOf = (line: number, vkey: string, type: number): Verifier => {
    let v: Verifier;
    try {
      v = verifierFromVkey(vkey, ed);
    } catch (e) {
      return bad(line, e instanceof LedgerError ? e.message : 'invalid vkey');
    }
    if (v.type !== type) bad(line, `vkey must have signature type 0x0${type}`);
    return v;
  };
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const n = i + 1;
    const trimmed = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (n > MAX_POLICY_ENTRIES * 4) bad(n, 'policy is too long');
    const t = trimmed.split(/[ \t]+/);
    const kw = t[0] ?? '';
    switch (kw) {
      case 'log': {
        if (t.length < 2 || t.length > 3) bad(n, 'expected: log <vkey> [<url>]');
        const v = vkeyOf(n, t[1] as string, SIG_TYPE_ED25519);
        addKey(n, v.publicKey);
        logs.push({ verifier: v, vkey: t[1] as string, ...(t[2] ? { url: t[2] } : {}) });
        return;
      }
      case 'witness': {
        if (t.length < 3 || t.length > 4) bad(n, 'expected: witness <name> <vkey> [<url>]');
        const name = t[1] as string;
        if (name === 'none' || defined(name)) bad(n, `name ${name} is already defined`);
        const v = vkeyOf(n, t[2] as string, SIG_TYPE_COSIGNATURE_V1);
        addKey(n, v.publicKey);
        witnesses.set(name, {
          name,
          verifier: v,
          vkey: t[2] as string,
          ...(t[3] ? { url: t[3] } : {}),
        });
        return;
      }
      case 'group': {
        if (t.length < 4) bad(n, 'expected: group <name> <all|any|k> <name>...');
        const name = t[1] as string;
        if (name === 'none' || defined(name)) bad(n, `name ${name} is already defined`);
        const members = t.slice(3);
        const seen = new Set<string>();
        for (const m of members) {
          if (m === 'none') bad(n, 'none cannot be a group member');
          if (!defined(m)) bad(n, `member ${m} is not defined on an earlier line`);
          if (seen.has(m)) bad(n, `member ${m} is listed twice`);
          seen.add(m);
        }
        const k = t[2] as string;
        let threshold: number;
        if (k === 'all') threshold = members.length;
        else if (k === 'any') threshold = 1;
        else if (/^[1-9][0-9]*$/.test(k) && Number(k) <= members.length) threshold = Number(k);
        else return bad(n, `threshold must be all, any or 1..${members.length}`);
        groups.set(name, { name, threshold, members });
        return;
      }
      case 'quorum': {
        if (t.length !== 2) bad(n, 'expected: quorum <name>');
        if (quorum !== undefined) bad(n, 'more than one quorum line');
        const q = t[1] as string;
        if (q !== 'none' && !defined(q)) bad(n, `quorum ${q} is not defined on an earlier line`);
        quorum = q;
        return;
      }
      default:
        bad(n, `unknown keyword ${kw}`);
    }
  });
  if (quorum === undefined) fail('POLICY_MALFORMED', 'policy has no quorum line');
  if (witnesses.size + groups.size + logs.length > MAX_POLICY_ENTRIES)
    fail('POLICY_MALFORMED', 'policy is too large');
  return { logs, witnesses, groups, quorum };
}

/** Whether the named witness/group has witnessed, given the set of witnesses that cosigned. */
export function quorumSatisfied(
  policy: Policy,
  cosigned: ReadonlySet<string>,
  name: string = policy.quorum,
): boolean {
  if (name === 'none') return true;
  if (policy.witnesses.has(name)) return cosigned.has(name);
  const g = policy.groups.get(name);
  if (!g) return false;
  let count = 0;
  for (const m of g.members) if (quorumSatisfied(policy, cosigned, m)) count++;
  return count >= g.threshold;
}

export interface PolicyVerdict extends OpenedCheckpoint {
  /** Policy names of the witnesses whose cosignatures verified. */
  readonly witnesses: readonly string[];
  /** Cosignature timestamps by witness name (POSIX seconds). */
  readonly cosignedAt: ReadonlyMap<string, number>;
}

/**
 * Verifies a checkpoint under a policy: signed by one of the policy's logs (whose key name is the
 * origin), and cosigned by witnesses satisfying the quorum. Unknown signatures are ignored; a
 * known cosignature that fails rejects the checkpoint (signed-note §"Signatures").
 */
export async function verifyCheckpointWithPolicy(
  input: string | Uint8Array | Note,
  policy: Policy,
): Promise<PolicyVerdict> {
  const note = typeof input === 'string' || input instanceof Uint8Array ? parseNote(input) : input;
  const opened = await openCheckpoint(
    note,
    policy.logs.map((l) => l.verifier),
  );
  const origin = opened.checkpoint.origin;
  if (!opened.note.verified.some((v) => v.verifier.name === origin)) {
    fail(
      'CHECKPOINT_ORIGIN_MISMATCH',
      `no log key named after origin ${origin} signed this checkpoint`,
    );
  }
  const text = utf8.encode(note.text);
  const cosigned = new Set<string>();
  const cosignedAt = new Map<string, number>();
  for (const sig of note.signatures) {
    for (const w of policy.witnesses.values()) {
      if (w.verifier.name !== sig.name || w.verifier.keyId !== sig.keyId) continue;
      if (!(await w.verifier.verify(text, sig.signature))) {
        fail(
          'NOTE_BAD_SIGNATURE',
          `cosignature by ${sig.name} (${keyIdHex(sig.keyId)}) does not verify`,
        );
      }
      cosigned.add(w.name);
      const view = new DataView(sig.signature.buffer, sig.signature.byteOffset, 8);
      cosignedAt.set(w.name, Number(view.getBigUint64(0)));
    }
  }
  if (!quorumSatisfied(policy, cosigned)) {
    fail(
      'QUORUM_NOT_MET',
      `cosignatures by [${[...cosigned].join(', ')}] do not meet quorum ${policy.quorum}`,
      {
        cosigned: [...cosigned],
      },
    );
  }
  return { ...opened, witnesses: [...cosigned], cosignedAt };
}
