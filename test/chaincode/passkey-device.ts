import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** A decision statement as the device signs it (see chaincode/src/rules/passkey-evidence.ts). */
export interface Statement {
  consentId: string;
  artefactHash: string;
  action: 'approve' | 'reject' | 'pause' | 'resume' | 'revoke';
  grantedFields: string[];
  at: string;
}

/**
 * A software passkey for tests that need no browser: an ECDSA P-256 key pair that answers a WebAuthn
 * `get` the way an authenticator does (authenticatorData with user present and verified, a
 * clientDataJSON, a DER signature over authenticatorData ‖ SHA-256(clientDataJSON)). Independent of
 * the chaincode's code, so each checks the other.
 */
export class TestPasskey {
  readonly credentialId = createHash('sha256').update(String(Math.random())).digest('base64url');
  private readonly privateKey: KeyObject;
  readonly publicKey: string;
  private counter = 0;

  constructor(private readonly rpId = 'localhost') {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64url');
  }

  /** The challenge of a statement: SHA-256 of its JSON with sorted keys, base64url. */
  static challenge(s: Statement): string {
    const sorted = { action: s.action, artefactHash: s.artefactHash, at: s.at, consentId: s.consentId, grantedFields: s.grantedFields };
    return createHash('sha256').update(JSON.stringify(sorted)).digest('base64url');
  }

  /** Signs a challenge; `flags` defaults to user present and verified. */
  assert(challenge: string, options: { flags?: number; type?: string } = {}) {
    const authenticatorData = Buffer.alloc(37);
    createHash('sha256').update(this.rpId).digest().copy(authenticatorData, 0);
    authenticatorData[32] = options.flags ?? 0x05;
    authenticatorData.writeUInt32BE(++this.counter, 33);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: options.type ?? 'webauthn.get', challenge, origin: `http://${this.rpId}`, crossOrigin: false }));
    const signature = sign('sha256', Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()]), this.privateKey);
    return {
      credentialId: this.credentialId,
      publicKey: this.publicKey,
      authenticatorData: authenticatorData.toString('base64url'),
      clientDataJSON: clientDataJSON.toString('base64url'),
      signature: signature.toString('base64url'),
    };
  }
}
