import { ServerCredentials } from '@grpc/grpc-js';
import { createSecureContext, type SecureContext } from 'node:tls';

export interface TlsIdentity {
  hostNames: string[];
  certPem: string;
  keyPem: string;
}

/**
 * One TLS endpoint for many peers: the client's SNI (the `grpc.ssl_target_name_override` host alias)
 * selects that organisation's peer certificate, so each organisation's own TLS CA validates it.
 */
export class SniServerCredentials extends ServerCredentials {
  constructor(identities: readonly TlsIdentity[]) {
    const first = identities[0];
    if (!first) throw new Error('at least one TLS identity is required');
    const contexts = new Map<string, SecureContext>();
    for (const id of identities) {
      const context = createSecureContext({ cert: id.certPem, key: id.keyPem });
      for (const host of id.hostNames) contexts.set(host.toLowerCase(), context);
    }
    super(
      {
        SNICallback: (servername, cb) => cb(null, contexts.get(servername.toLowerCase()) ?? contexts.get(first.hostNames[0]!.toLowerCase())),
      },
      { cert: first.certPem, key: first.keyPem },
    );
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}
