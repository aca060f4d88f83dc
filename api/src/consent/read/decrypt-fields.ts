import type { VaultReader } from '../../vault/index.js';
import type { ConsentedRead, LoadedConsent } from './consented-read.js';
import type { ReadSnapshot } from './read-source.js';

/**
 * Step 4, decrypt: the latest values of the fields from the citizen's records, opened with their
 * data key — from the sealed rows loaded with the consent when there are some, else read through
 * the vault. Nothing is sent yet: the read is recorded (step 5) before any of it leaves.
 */
export async function decryptFields(
  vault: Pick<VaultReader, 'fieldsOf'> & Partial<Pick<VaultReader, 'openFields'>>,
  consent: LoadedConsent,
  fields: readonly string[],
  sealed?: ReadSnapshot['sealed'],
): Promise<Omit<ConsentedRead, 'consent'>> {
  if (sealed && vault.openFields) return vault.openFields(sealed.subject, sealed.versions, fields);
  return vault.fieldsOf(consent.subject_id, fields);
}
