/** What the generator needs of a catalog entry (api/src/errors/catalog.ts). */
export interface CatalogEntry {
  readonly status: number;
  readonly kind: string;
  readonly en: string;
  readonly vi: string;
}

/** `consent_scope` → `ConsentScopeError`: the SDK has one class per kind. */
export function sdkClassName(kind: string): string;

/** The files the generator owns, relative to the repository's root, with the text they must hold. */
export function renderErrorVocabulary(catalog: Readonly<Record<string, CatalogEntry>>): { path: string; content: string }[];
