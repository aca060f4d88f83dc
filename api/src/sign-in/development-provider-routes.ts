import { randomBytes } from 'node:crypto';
import express, { Router, type ErrorRequestHandler } from 'express';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { loadOrCreateKeyFile } from '../infra/key-file.js';
import { DevelopmentProviderStore } from './development-provider-store.js';
import type { OrganizationDirectory } from './organization-directory.js';

/** The assurance level the development provider vouches for: a stand-in for the national app's highest level. */
export const DEVELOPMENT_ACR = 'urn:citizen-vault:dev:loa-high';
const DEMO_CITIZENS = ['000000000101', '000000000102', '000000000103'];

export interface DevelopmentProviderOptions {
  /** `${publicUrl}/dev/idp`: where it is mounted, and the `iss` of what it signs. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** Where its signing key and cookie key live (the data directory's keys/). */
  keysDir: string;
  organizations: OrganizationDirectory;
}

/**
 * A real OpenID Connect provider (panva's oidc-provider) for the embedded default, standing in
 * for the national identity app and for organisations' own providers: discovery, a JWKS, the
 * authorization-code flow with PKCE, and a sign-in page where one picks a demo citizen (or types a
 * 12-digit number), the operator, an auditor, or a verified organisation's staff. The portal signs in
 * through it with exactly the code that signs in through a production provider. Dev mode only.
 */
export async function developmentIdentityProvider(options: DevelopmentProviderOptions): Promise<Router> {
  const signingKey = JSON.parse(
    await loadOrCreateKeyFile(`${options.keysDir}/dev-idp-signing-key.jwk`, async () => {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      return JSON.stringify({ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: `dev-idp-${randomBytes(4).toString('hex')}` });
    }),
  ) as JWK;
  const cookieKey = (await loadOrCreateKeyFile(`${options.keysDir}/dev-idp-cookie.key`, () => randomBytes(32).toString('base64url'))).trim();

  const provider = new Provider(options.issuer, {
    adapter: DevelopmentProviderStore,
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
        // Every ID token says at which level the person signed in, as the national provider's do.
        default_acr_values: [DEVELOPMENT_ACR],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [cookieKey] },
    pkce: { required: () => true },
    acrValues: [DEVELOPMENT_ACR],
    scopes: ['openid', 'national_id', 'roles'],
    claims: { openid: ['sub'], national_id: ['national_id'], roles: ['cv_role', 'organization_id'] },
    // The portal reads who signed in from the ID token, as it will from the national provider's.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `${new URL(options.issuer).pathname}/interaction/${interaction.uid}` },
    findAccount: (_ctx, accountId) => ({ accountId, claims: () => claimsOf(accountId) }),
    // The portal is the vault's own client: what it asks for is granted without a consent screen.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid national_id roles');
      grant.addOIDCClaims(['national_id', 'cv_role', 'organization_id']);
      await grant.save();
      return grant;
    },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, IdToken: 600, AccessToken: 600, AuthorizationCode: 60 },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p>${escape(String(out.error))}: ${escape(String(out.error_description ?? ''))}</p>`);
    },
  });

  const router = Router();
  const base = new URL(options.issuer).pathname; // for the pages' own links
  router.get('/interaction/:uid', async (req, res) => {
    const details = await provider.interactionDetails(req, res);
    const orgs = (await options.organizations.list()).filter((o) => o.status === 'VERIFIED' && !o.roles.includes('operator'));
    const consumerFirst = [...orgs].sort((a, b) => Number(b.roles.includes('consumer')) - Number(a.roles.includes('consumer')));
    const role = (value: string, vi: string, en: string, checked = false): string =>
      `<label class="choice"><input type="radio" name="role" value="${value}"${checked ? ' checked' : ''}> <strong>${vi}</strong> <span lang="en">${en}</span></label>`;
    res
      .set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
      .type('html')
      .send(
        page(
          'Nhà cung cấp định danh thử nghiệm',
          `<p>Thay cho VNeID trong môi trường phát triển: chọn bạn là ai. <span lang="en">Stands in for the national identity app in development: pick who you are.</span></p>
<form method="post" action="${base}/interaction/${escape(details.uid)}/login">
<fieldset><legend>Bạn là <span lang="en">You are</span></legend>
${role('citizen', 'Công dân', 'Citizen', true)}${role('organization', 'Doanh nghiệp', 'Organisation staff')}${role('auditor', 'Kiểm toán viên', 'Auditor')}${role('operator', 'Đơn vị vận hành', 'Operator')}
</fieldset>
<p><label for="national-id">Số định danh cá nhân (12 chữ số)</label><br><input id="national-id" name="nationalId" inputmode="numeric" autocomplete="off" maxlength="12" aria-describedby="national-id-hint"><br>
<span id="national-id-hint">Công dân thử nghiệm: ${DEMO_CITIZENS.join(', ')}. <span lang="en">Demo citizens.</span></span></p>
<p><label for="organization">Tổ chức</label><br><select id="organization" name="organizationId">${consumerFirst.map((o) => `<option value="${escape(o.id)}">${escape(o.name)}</option>`).join('')}</select></p>
<p><button type="submit">Đăng nhập</button></p>
</form>`,
        ),
      );
  });
  router.post('/interaction/:uid/login', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const account = accountOf((req.body ?? {}) as Record<string, unknown>);
    if (!account) {
      res
        .status(400)
        .type('html')
        .send(
          page(
            'Không đăng nhập được',
            '<p>Số định danh cá nhân gồm 12 chữ số; doanh nghiệp phải chọn một tổ chức. <span lang="en">A citizen identity number has 12 digits; organisation staff pick an organisation.</span></p>',
          ),
        );
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: account, acr: DEVELOPMENT_ACR, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
  });
  const callback = provider.callback();
  // Mounted at the issuer's path (app.use('/dev/idp', …)), as oidc-provider expects under Express.
  router.use((req, res) => {
    callback(req, res);
  });
  // The provider's own refusals (an interaction whose cookie is missing or expired, say) are the
  // browser's problem, answered as a page with their 4xx status, never as a 500.
  const refused: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(err);
    const { error, error_description: description } = err as { error?: unknown; error_description?: unknown };
    res
      .status(status)
      .type('html')
      .send(
        page(
          'Không đăng nhập được',
          `<p>${escape(String(error ?? 'invalid_request'))}: ${escape(String(description ?? ''))}. <span lang="en">Start again from the portal.</span></p>`,
        ),
      );
  };
  router.use(refused);
  return router;
}

/** The account the sign-in form names, or undefined when it names none properly. */
function accountOf(form: Record<string, unknown>): string | undefined {
  const text = (name: string): string => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
  const role = text('role') || 'citizen';
  if (role === 'citizen') return /^\d{12}$/.test(text('nationalId')) ? `citizen:${text('nationalId')}` : undefined;
  if (role === 'organization') return /^[0-9a-f-]{36}$/.test(text('organizationId')) ? `org:${text('organizationId')}` : undefined;
  if (role === 'auditor' || role === 'operator') return `staff:${role}`;
  return undefined;
}

function claimsOf(accountId: string): { sub: string; [claim: string]: string } {
  const [kind, id] = accountId.split(':') as [string, string];
  if (kind === 'citizen') return { sub: accountId, national_id: id };
  if (kind === 'org') return { sub: accountId, cv_role: 'organization', organization_id: id };
  return { sub: accountId, cv_role: id };
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${escape(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto}ul{list-style:none;padding:0}li{margin:.3rem 0}.choice{display:block;margin:.3rem 0}fieldset{border:1px solid #ccc;padding:.5rem 1rem}</style></head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
