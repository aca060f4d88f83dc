import { compactDecrypt, compactVerify, createRemoteJWKSet } from 'jose';
import type { CryptoKey } from 'jose' with { 'resolution-mode': 'import' };
import { ConsentNotActiveError, IntegrityError } from '../errors.js';
import type { HttpClient } from '../http.js';
import { paginate, type ListResult, type Page } from '../list.js';

export type ConsentStatus = 'REQUESTED' | 'ACTIVE' | 'REJECTED' | 'PAUSED' | 'REVOKED' | 'EXPIRED';

export interface Consent {
  id: string;
  status: ConsentStatus;
  subjectId: string;
  consumer: { id: string; name: string };
  purpose: string;
  requestedFields: string[];
  grantedFields: string[];
  mode: 'ONCE' | 'PERIODIC';
  frequency?: { limit: number; per: 'DAY' | 'MONTH' };
  validFrom: string;
  validUntil: string;
  retentionDays: number;
  onwardTransfer: boolean;
  crossBorder: boolean;
  justification: string;
  requestedAt: string;
  decidedAt: string | null;
  /** The notice versions the request showed (purpose, fields, the consumer's own notice), by the hash of their text, as the artefact names them. */
  notices: NoticeRef[];
  /** For a re-consent request after a material notice change: the consent it replaces, which answering it revokes. */
  supersedes: string | null;
}

/** A notice version a consent request showed; its text is at `/v1/notices/{kind}/{key}/{version}`. */
export interface NoticeRef {
  kind: 'purpose' | 'field' | 'organization';
  key: string;
  version: number;
  hash: string;
}

export interface ConsentRequest {
  /** The citizen's 12-digit identity number. */
  nationalId: string;
  /** A purpose code from `/v1/vocabulary`, e.g. `credit_scoring`. */
  purpose: string;
  /** Field paths `<category>.<field>` from `/v1/vocabulary`. */
  fields: string[];
  mode: 'ONCE' | 'PERIODIC';
  frequency?: { limit: number; per: 'DAY' | 'MONTH' };
  validUntil: Date | string;
  retentionDays: number;
  /** Shown to the citizen: why you ask. */
  justification: string;
  onwardTransfer?: boolean;
  crossBorder?: boolean;
}

export interface ConsentedData {
  consentId: string;
  subjectId: string;
  purpose: string;
  /** The granted fields, keyed `<category>.<field>`. */
  fields: Record<string, unknown>;
  /** The record versions the values come from, with their commitments on the ledger. */
  provenance: { recordId: string; version: number; category: string; commitment: string }[];
}

/** Consents: ask citizens, follow their answers, and read what they granted. */
export class Consents {
  private vaultKeys: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly decryptionKey: CryptoKey,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /**
   * Asks a citizen for consent. The citizen sees the request in the portal and answers all, part or nothing.
   *
   * @example
   * const consent = await vault.consents.request({ nationalId: '000000000101', purpose: 'credit_scoring',
   *   fields: ['residence.province'], mode: 'ONCE', validUntil: '2027-01-01T00:00:00Z', retentionDays: 30,
   *   justification: 'Loan application 42' });
   */
  async request(input: ConsentRequest): Promise<Consent> {
    const { nationalId, validUntil, ...rest } = input;
    const body = { ...rest, subject: { nationalId }, validUntil: validUntil instanceof Date ? validUntil.toISOString() : validUntil };
    return (await this.http.request<Consent>('POST', '/v1/consents', { body })).body;
  }

  /**
   * A consent you asked for.
   *
   * @example
   * const { status, grantedFields } = await vault.consents.get(consentId);
   */
  async get(id: string): Promise<Consent> {
    return (await this.http.request<Consent>('GET', `/v1/consents/${encodeURIComponent(id)}`)).body;
  }

  /**
   * Your consents, newest first: await it for one page, or iterate for all of them.
   *
   * @example
   * for await (const consent of vault.consents.list({ status: 'ACTIVE' })) console.log(consent.id);
   */
  list(options: { status?: ConsentStatus; limit?: number } = {}): ListResult<Consent> {
    return paginate(
      async (cursor) =>
        (await this.http.request<Page<Consent>>('GET', '/v1/consents', { query: { status: options.status, limit: options.limit, cursor } })).body,
    );
  }

  /**
   * Waits until the citizen has answered (the consent is no longer REQUESTED), polling.
   *
   * @example
   * const decided = await vault.consents.waitForDecision(consent.id, { timeoutMs: 5 * 60_000 });
   */
  async waitForDecision(id: string, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<Consent> {
    const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
    for (;;) {
      const consent = await this.get(id);
      if (consent.status !== 'REQUESTED') return consent;
      if (Date.now() >= deadline)
        throw new ConsentNotActiveError(`consent ${id} is still awaiting the citizen's answer`, 'consent_not_active', undefined, undefined);
      await this.sleep(options.intervalMs ?? 2_000);
    }
  }

  /**
   * Reads the granted fields. The API encrypts them to your registered X25519 key and signs them
   * with the vault's key; this decrypts with your key and checks the vault's signature.
   *
   * @example
   * const data = await vault.consents.readData(consent.id);
   * console.log(data.fields['residence.province']);
   */
  async readData(id: string, options: { fields?: string[] } = {}): Promise<ConsentedData> {
    const { body: jwe } = await this.http.request<string>('GET', `/v1/consents/${encodeURIComponent(id)}/data`, {
      accept: 'application/jose',
      query: { fields: options.fields?.join(',') },
    });
    let jws: string;
    try {
      jws = new TextDecoder().decode((await compactDecrypt(jwe, this.decryptionKey)).plaintext);
    } catch (err) {
      throw new IntegrityError(`the data does not decrypt with this organisation's key: ${(err as Error).message}`, 'decryption_failed', undefined, undefined);
    }
    this.vaultKeys ??= createRemoteJWKSet(new URL('.well-known/jwks.json', this.baseUrl.endsWith('/') ? this.baseUrl : this.baseUrl + '/'));
    try {
      const { payload } = await compactVerify(jws, this.vaultKeys);
      return JSON.parse(new TextDecoder().decode(payload)) as ConsentedData;
    } catch (err) {
      throw new IntegrityError(`the data is not signed by the vault: ${(err as Error).message}`, 'signature_invalid', undefined, undefined);
    }
  }

  /**
   * The signed consent artefact (a compact JWS over canonical JSON), to keep as evidence.
   *
   * @example
   * const jws = await vault.consents.artefact(consent.id);
   */
  async artefact(id: string): Promise<string> {
    return (await this.http.request<string>('GET', `/v1/consents/${encodeURIComponent(id)}/artefact`, { accept: 'application/jose' })).body;
  }
}
