import type { ConsentStatus } from '../api/types';
import { useI18n } from '../i18n/i18n';

export function StatusBadge({ status }: { status: ConsentStatus }) {
  const { t } = useI18n();
  return <span class={`badge status-${status.toLowerCase()}`}>{t(`status.${status}` as const)}</span>;
}
