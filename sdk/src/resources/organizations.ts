import type { JWK } from 'jose' with { 'resolution-mode': 'import' };
import type { HttpClient } from '../http.js';

export interface Organization {
  id: string;
  name: string;
  registrationNumber: string;
  roles: string[];
  status: 'VERIFIED' | 'SUSPENDED';
  jwks: { keys: JWK[] };
  createdAt: string;
}

/** Organisations, for the exchange operator: register them with their public keys, suspend them. */
export class Organizations {
  constructor(private readonly http: HttpClient) {}

  /**
   * Registers an organisation with the public JWKS it generated (`generateOrganizationKeys().jwks`).
   *
   * @example
   * const org = await operator.organizations.register({ name: 'Công ty ABC', registrationNumber: '0101234567', roles: ['consumer'], jwks });
   */
  async register(input: {
    name: string;
    registrationNumber: string;
    roles: ('custodian' | 'provider' | 'consumer' | 'auditor')[];
    jwks: { keys: JWK[] };
  }): Promise<Organization> {
    return (await this.http.request<Organization>('POST', '/v1/organizations', { body: input })).body;
  }

  /**
   * Suspends an organisation: its tokens stop working at their next request.
   *
   * @example
   * await operator.organizations.suspend(orgId);
   */
  async suspend(id: string): Promise<Organization> {
    return (await this.http.request<Organization>('POST', `/v1/organizations/${encodeURIComponent(id)}/suspend`, { body: {} })).body;
  }

  /**
   * An organisation.
   *
   * @example
   * const { status } = await operator.organizations.get(orgId);
   */
  async get(id: string): Promise<Organization> {
    return (await this.http.request<Organization>('GET', `/v1/organizations/${encodeURIComponent(id)}`)).body;
  }
}
