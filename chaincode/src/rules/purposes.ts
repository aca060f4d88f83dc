import vocabulary from './purposes.json';

/** A purpose of processing from the published vocabulary, labelled in Vietnamese and English. */
export interface Purpose {
  code: string;
  labels: { vi: string; en: string };
  description: { vi: string; en: string };
}

export const PURPOSE_VOCABULARY: { version: string; purposes: readonly Purpose[] } = vocabulary;

const CODES = new Set(vocabulary.purposes.map((p) => p.code));

export function isPurposeCode(code: string): boolean {
  return CODES.has(code);
}
