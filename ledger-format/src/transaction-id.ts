import { sha256 } from './sha256.js';

/** Fabric's ComputeTxID: hex(sha256(nonce ‖ serialized creator)). */
export function computeTxId(nonce: Uint8Array, creator: Uint8Array): string {
  return sha256(nonce, creator).toString('hex');
}
