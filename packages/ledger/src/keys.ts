import { cosignatureVerifier } from './cosignature';
import { nobleEd25519, type Ed25519 } from './crypto';
import { fail } from './errors';
import {
  ed25519Verifier,
  parseVkey,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  type Verifier,
} from './note';

/**
 * A verifier from a vkey string: type 0x01 (log key, plain Ed25519 note signature) or type 0x04
 * (witness key, tlog-cosignature v1). Other types are refused: we verify nothing we cannot check.
 */
export function verifierFromVkey(vkey: string, ed: Ed25519 = nobleEd25519): Verifier {
  const k = parseVkey(vkey);
  if (k.type === SIG_TYPE_ED25519) return ed25519Verifier(k.name, k.publicKey, ed);
  if (k.type === SIG_TYPE_COSIGNATURE_V1) return cosignatureVerifier(k.name, k.publicKey, ed);
  return fail(
    'VKEY_MALFORMED',
    `unsupported signature type 0x${k.type.toString(16).padStart(2, '0')}`,
  );
}
