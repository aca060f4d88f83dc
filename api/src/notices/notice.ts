import { createHash } from 'node:crypto';
import { FIELD_VOCABULARY, PURPOSE_VOCABULARY, canonicalJson } from '@citizen-vault/chaincode/rules';

export type NoticeKind = 'purpose' | 'field' | 'organization';
export type NoticeRule = 'continue' | 'pause';

/** A notice's words as shown, in Vietnamese and English. */
export interface NoticeText {
  vi: string;
  en: string;
}

/** One published version of a notice: never changed once published. */
export interface Notice {
  kind: NoticeKind;
  key: string;
  version: number;
  text: NoticeText;
  textHash: string;
  material: boolean;
  /** A material version's rule for reads while the citizen is asked again; null for a version that is not material. */
  rule: NoticeRule | null;
  changeSummary: NoticeText | null;
  publishedAt: Date;
  publishedBy: string;
  leafIndex: number | null;
}

/** SHA-256 (hex) of the canonical JSON of what a version says: what a consent's artefact names it by. */
export function noticeHash(kind: NoticeKind, key: string, version: number, text: NoticeText): string {
  return createHash('sha256').update(canonicalJson({ kind, key, version, text })).digest('hex');
}

/**
 * The version a consent shown `shown` saw of a notice: its entry there; else, for a consent made
 * before notices were versioned, the vocabulary's text (version 1) for a purpose or a field, and
 * none (0) of an organisation's own notice.
 */
export function defaultShownVersion(kind: NoticeKind): number {
  return kind === 'organization' ? 0 : 1;
}

/** Version 1 of every purpose's text and field's description: the published vocabulary's words. */
export function vocabularyNotices(): { kind: NoticeKind; key: string; text: NoticeText }[] {
  return [
    ...PURPOSE_VOCABULARY.purposes.map((p) => ({
      kind: 'purpose' as const,
      key: p.code,
      text: { vi: `${p.labels.vi}. ${p.description.vi}`, en: `${p.labels.en}. ${p.description.en}` },
    })),
    ...FIELD_VOCABULARY.categories.flatMap((c) =>
      c.fields.map((f) => ({
        kind: 'field' as const,
        key: `${c.code}.${f.name}`,
        text: { vi: `${c.labels.vi}: ${f.labels.vi}`, en: `${c.labels.en}: ${f.labels.en}` },
      })),
    ),
  ];
}
