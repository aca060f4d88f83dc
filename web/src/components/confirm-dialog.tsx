import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/i18n';

export interface ConfirmRequest {
  title: string;
  /** What will happen, in plain words. */
  body: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): void;
}

/**
 * A modal confirmation on the native <dialog>: the browser traps focus, Escape cancels, and focus
 * returns to the button that opened it.
 */
export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest | undefined; onClose(): void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (request && !dialog.open) dialog.showModal();
    if (!request && dialog.open) dialog.close();
  }, [request]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="confirm-title" aria-describedby="confirm-body" onClose={onClose}>
      {request && (
        <form method="dialog">
          <h2 id="confirm-title">{request.title}</h2>
          <p id="confirm-body">{request.body}</p>
          <div class="actions">
            <button type="submit" value="cancel" class="button secondary" autofocus>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              class={request.danger ? 'button danger' : 'button primary'}
              onClick={() => {
                request.onConfirm();
                onClose();
              }}
            >
              {request.confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
