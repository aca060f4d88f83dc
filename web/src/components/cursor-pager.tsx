import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n';

/** The cursors of the pages seen so far, so "previous" can go back through an API that only pages forward. */
export function useCursors(): { cursor: string; push(next: string): void; back(): void; reset(): void; depth: number } {
  const [cursors, setCursors] = useState<string[]>(['']);
  return {
    cursor: cursors[cursors.length - 1] ?? '',
    depth: cursors.length,
    push: (next) => setCursors((c) => [...c, next]),
    back: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    reset: () => setCursors(['']),
  };
}

export function CursorPager({ cursors, nextCursor }: { cursors: ReturnType<typeof useCursors>; nextCursor: string | null | undefined }) {
  const { t } = useI18n();
  return (
    <div class="actions">
      {cursors.depth > 1 && (
        <button type="button" class="button secondary" onClick={cursors.back}>
          {t('common.previous')}
        </button>
      )}
      {nextCursor && (
        <button type="button" class="button secondary" onClick={() => cursors.push(nextCursor)}>
          {t('common.next')}
        </button>
      )}
    </div>
  );
}
