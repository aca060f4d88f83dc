import { useI18n } from '../i18n/i18n';
import { useVocabulary } from '../vocabulary';

/** A field path (`residence.province`) as the person reads it: "Nơi cư trú · Tỉnh/thành phố". */
export function useFieldLabel(): (path: string) => string {
  const { label } = useI18n();
  const vocabulary = useVocabulary();
  return (path) => {
    const found = vocabulary.field(path);
    if (!found) return path;
    return `${label(found.category.labels, found.category.code)} · ${label(found.field.labels, found.field.name)}`;
  };
}

export function usePurposeLabel(): (code: string) => string {
  const { label } = useI18n();
  const vocabulary = useVocabulary();
  return (code) => label(vocabulary.purpose(code)?.labels, code);
}

export function SensitiveMark() {
  const { t } = useI18n();
  return <span class="badge badge-sensitive">{t('field.sensitive')}</span>;
}
