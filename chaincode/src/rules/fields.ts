import vocabulary from './fields.json';

export type FieldType = 'string' | 'date' | 'integer' | 'enum' | 'boolean';

export interface FieldDefinition {
  name: string;
  type: FieldType;
  /** Sensitive personal data under Decree 13/2023 and 356/2025: the citizen is told, and extra duties apply. */
  sensitive: boolean;
  labels: { vi: string; en: string };
}

export interface RecordCategory {
  code: string;
  labels: { vi: string; en: string };
  fields: readonly FieldDefinition[];
}

/**
 * The published vocabulary of record categories and their fields. Consents and commitments name
 * only these (`<category>.<field>`), so free text — and with it personal data — cannot reach the ledger.
 */
export const FIELD_VOCABULARY = vocabulary as { version: string; categories: readonly RecordCategory[] };

const CATEGORIES = new Set(FIELD_VOCABULARY.categories.map((c) => c.code));
const FIELD_PATHS = new Set(FIELD_VOCABULARY.categories.flatMap((c) => c.fields.map((f) => `${c.code}.${f.name}`)));

export function isCategoryCode(code: string): boolean {
  return CATEGORIES.has(code);
}

export function isFieldPath(path: string): boolean {
  return FIELD_PATHS.has(path);
}
