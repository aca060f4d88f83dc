import { randomBytes } from 'node:crypto';
import type { Sql } from '../infra/database.js';
import type { SubjectShredder } from './ports.js';

/**
 * Crypto-shredding in Postgres, in one transaction: the sealed data key goes (the only place a
 * subject's data key is kept; a KEK rotation's rewrapped copy must be cleared here too), the record
 * versions lose their ciphertexts and sealed salts (useless without the key, dropped so nothing is
 * left to attack), and the blind index becomes 32 random bytes, unique like the real ones, matching
 * no national id. The records themselves stay, with their commitments: pseudonymous, like the ledger.
 */
export class PgSubjectShredder implements SubjectShredder {
  constructor(private readonly sql: Sql) {}

  async shred(subjectId: string): Promise<{ wrappedCopies: number }> {
    return this.sql.begin(async (tx) => {
      const [subject] = await tx<{ had_key: boolean }[]>`
        update subjects set wrapped_key = null, national_id_index = ${randomBytes(32)}, erased_at = coalesce(erased_at, now())
        where id = ${subjectId} and erased_at is null
        returning true as had_key`;
      await tx`
        update record_versions v set fields = '{}'::jsonb, sealed_salt = ''::bytea
        from records r where r.id = v.record_id and r.subject_id = ${subjectId} and v.fields <> '{}'::jsonb`;
      return { wrappedCopies: subject ? 1 : 0 };
    });
  }

  async state(subjectId: string): Promise<'live' | 'shredded' | 'unknown'> {
    const [row] = await this.sql<{ erased: boolean }[]>`select erased_at is not null as erased from subjects where id = ${subjectId}`;
    return !row ? 'unknown' : row.erased ? 'shredded' : 'live';
  }
}
