import type { ComponentChildren } from 'preact';
import { errorMessageKey } from '../api/error-messages';
import { useI18n } from '../i18n/i18n';

/** An API error in words, never the raw answer. */
export function ErrorNotice({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <div class="notice notice-error" role="alert">
      {t(errorMessageKey(error))}
    </div>
  );
}

export function SuccessNotice({ children }: { children: ComponentChildren }) {
  if (!children) return null;
  return (
    <div class="notice notice-success" role="status">
      {children}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="muted" role="status">
      {t('common.loading')}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
