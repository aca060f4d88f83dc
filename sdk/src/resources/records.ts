import type { HttpClient } from '../http.js';

export interface DepositedRecord {
  id: string;
  subjectId: string;
  category: string;
  version: number;
  /** The salted commitment anchored on the ledger. */
  commitment: string;
}

/** Records, for custodians: deposit what you hold about a citizen, sealed in the vault. */
export class Records {
  constructor(private readonly http: HttpClient) {}

  /**
   * Deposits a record; its fields must belong to the category in `/v1/vocabulary`.
   *
   * @example
   * await vault.records.deposit({ nationalId: '000000000101', category: 'residence', fields: { province: 'Hà Nội' } });
   */
  async deposit(input: { nationalId: string; category: string; fields: Record<string, unknown> }): Promise<DepositedRecord> {
    return (
      await this.http.request<DepositedRecord>('POST', '/v1/records', {
        body: { subject: { nationalId: input.nationalId }, category: input.category, fields: input.fields },
      })
    ).body;
  }
}
