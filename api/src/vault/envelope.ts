import { createHash, createHmac } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { canonicalJson } from '@citizen-vault/chaincode/rules';

await sodium.ready;

/** What binds a sealed field to its place: subject, record (with its category and custodian), field and version. */
export function fieldBinding(subjectId: string, recordId: string, field: string, version: number, category: string, custodianOrgId: string): string {
  return `cv:field:v2|${subjectId}|${recordId}|${category}|${custodianOrgId}|${field}|${version}`;
}

export function keyBinding(subjectId: string, kekVersion: number): string {
  return `cv:data-key:v1|${subjectId}|${kekVersion}`;
}

/** The blind index that finds a citizen by national id without storing it. */
export function nationalIdIndex(indexKey: Uint8Array, nationalId: string): Buffer {
  return createHmac('sha256', indexKey).update(`cv:national-id:v1|${nationalId}`).digest();
}

export interface CommittedRecord {
  recordId: string;
  version: number;
  subjectId: string;
  category: string;
  fields: Record<string, unknown>;
}

/**
 * The salted commitment anchored on the ledger: SHA-256 of the salt and the canonical (RFC 8785
 * style, sorted-key) JSON of the record version. Whoever holds the data and the salt can check it;
 * the hash alone reveals nothing, and erasing the salt with the data key unlinks it for good.
 */
export function commitment(salt: Uint8Array, record: CommittedRecord): string {
  return createHash('sha256').update(salt).update(canonicalJson(record)).digest('hex');
}

export function randomSalt(): Uint8Array {
  return sodium.randombytes_buf(32);
}
