import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { DevelopmentProviderStore } from '../../src/sign-in/development-provider-store.js';

/** A person at the organisation: their subject and the groups its provider says they are in. */
export interface OrganizationStaff {
  sub: string;
  groups: string[];
}

export interface OrganizationIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the next sign-in at this provider is (the provider's own login is not what these tests are about). */
  signInAs(staff: OrganizationStaff): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider standing for an organisation's own (its workforce directory):
 * discovery, JWKS, the code flow with PKCE, ID tokens carrying a `groups` claim. Its login step
 * signs in whoever the test names, at once.
 */
export async function startOrganizationIdp(redirectUri: string): Promise<OrganizationIdp> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'citizen-vault-portal';
  const clientSecret = 'organisation-provider-secret-0123456789';
  const staff = new Map<string, OrganizationStaff>();
  let next: OrganizationStaff | undefined;
  const provider = new Provider(issuer, {
    adapter: DevelopmentProviderStore,
    ttl: { Session: 600, Interaction: 600, Grant: 600, IdToken: 600, AccessToken: 600, AuthorizationCode: 60 },
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'org-idp' }] },
    cookies: { keys: ['organisation-idp-cookie-key'] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'groups'],
    claims: { openid: ['sub'], groups: ['groups'] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, accountId) => ({ accountId, claims: () => ({ sub: accountId, groups: staff.get(accountId)?.groups ?? [] }) }),
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid profile groups');
      grant.addOIDCClaims(['groups']);
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      const person = next;
      if (!person) {
        res.writeHead(400).end('no one to sign in');
        return;
      }
      staff.set(person.sub, person);
      void provider.interactionFinished(req, res, { login: { accountId: person.sub } }, { mergeWithLastSubmission: false });
      return;
    }
    callback(req, res);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    signInAs: (person) => {
      next = person;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
