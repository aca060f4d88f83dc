import { Router } from 'express';
import { principal, requireRole, type TokenService } from '../auth/index.js';
import { DomainError } from '../errors/index.js';
import { parseInput } from '../http/problem.js';
import type { OrganizationDirectory } from './organization-directory.js';
import { OrganizationIdParam, PutOrganizationProvider } from './organization-provider-schemas.js';
import { rolesOpenTo, type OrganizationProvider, type PgOrganizationProviders } from './organization-providers.js';

export interface OrganizationProviderRoutesOptions {
  tokens: TokenService;
  providers: PgOrganizationProviders;
  organizations: OrganizationDirectory;
  publicUrl: string;
  /** Development only: a provider on this machine may speak plain http. */
  allowLoopbackHttp: boolean;
}

/** The operator sets, shows and removes organisations' own identity providers; the portal lists them on its sign-in page. */
export function organizationProviderRoutes(options: OrganizationProviderRoutesOptions): Router {
  const router = Router();
  const { providers, organizations, tokens } = options;
  const view = (p: OrganizationProvider) => ({
    organizationId: p.organizationId,
    issuer: p.issuer,
    clientId: p.clientId,
    scopes: p.scopes,
    roleClaim: p.roleClaim,
    roleMapping: p.roleMapping.map(([value, role]) => ({ value, role })),
    updatedAt: p.updatedAt.toISOString(),
    signInUrl: signInUrl(options.publicUrl, p.organizationId),
  });

  router.put('/v1/organizations/:id/sign-in-provider', requireRole(tokens, 'operator'), async (req, res) => {
    const { id } = parseInput(OrganizationIdParam, req.params);
    const body = parseInput(PutOrganizationProvider, req.body);
    const organization = await organizations.get(id);
    if (!organization) throw new DomainError('not_found', `organisation ${id} does not exist`);
    const issuer = new URL(body.issuer);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
    if (issuer.protocol !== 'https:' && !(options.allowLoopbackHttp && loopback && issuer.protocol === 'http:'))
      throw new DomainError('invalid_request', 'the issuer must be an https URL');
    const open = rolesOpenTo(organization);
    const closed = body.roleMapping.find((m) => !open.includes(m.role));
    if (closed) throw new DomainError('invalid_request', `${organization.name} cannot give its staff the ${closed.role} role; it may give ${open.join(', ')}`);
    const saved = await providers.put({
      organizationId: id,
      issuer: body.issuer,
      clientId: body.clientId,
      clientSecret: body.clientSecret,
      scopes: body.scopes,
      roleClaim: body.roleClaim,
      roleMapping: body.roleMapping.map((m) => [m.value, m.role]),
    });
    res.set('cache-control', 'no-store').json(view(saved));
  });

  router.get('/v1/organizations/:id/sign-in-provider', requireRole(tokens, 'operator', 'auditor', 'organization'), async (req, res) => {
    const { id } = parseInput(OrganizationIdParam, req.params);
    const caller = principal(req);
    const provider = caller.role === 'organization' && caller.organizationId !== id ? undefined : await providers.get(id);
    if (!provider) throw new DomainError('not_found', `organisation ${id} has no identity provider of its own`);
    res.set('cache-control', 'no-store').json(view(provider));
  });

  router.delete('/v1/organizations/:id/sign-in-provider', requireRole(tokens, 'operator'), async (req, res) => {
    const { id } = parseInput(OrganizationIdParam, req.params);
    if (!(await providers.remove(id))) throw new DomainError('not_found', `organisation ${id} has no identity provider of its own`);
    res.status(204).end();
  });

  router.get('/auth/providers', async (_req, res) => {
    const items = [];
    for (const p of await providers.list()) {
      const organization = await organizations.get(p.organizationId);
      if (organization?.status === 'VERIFIED')
        items.push({ organizationId: p.organizationId, name: organization.name, signInUrl: signInUrl(options.publicUrl, p.organizationId) });
    }
    res.json({ items });
  });
  return router;
}

function signInUrl(publicUrl: string, organizationId: string): string {
  return `${publicUrl}/auth/login?organization=${organizationId}`;
}
