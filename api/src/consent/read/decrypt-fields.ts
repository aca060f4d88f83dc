import type { VaultReader } from '../../vault/index.js';
import type { ConsentedRead, LoadedConsent } from './consented-read.js';

/**
 * Step 4, decrypt: the latest values of the fields from the citizen's records, opened with their
 * data key. Nothing is sent yet: the read is recorded (step 5) before any of it leaves.
 */
export async function decryptFields(
  vault: Pick<VaultReader, 'fieldsOf'>,
  consent: LoadedConsent,
  fields: readonly string[],
): Promise<Omit<ConsentedRead, 'consent'>> {
  return vault.fieldsOf(consent.subject_id, fields);
}
