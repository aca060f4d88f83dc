import type { Breach, BreachClockStatus } from '../../api/breach-types';
import { useI18n } from '../../i18n/i18n';

const BADGE: Record<BreachClockStatus, string> = {
  ON_TIME: 'status-active',
  DUE_SOON: 'status-paused',
  OVERDUE: 'status-refused',
  NOTIFIED: 'status-read',
  NOTIFIED_LATE: 'status-refused',
};

/** The 72-hour clock in words: its state, the deadline, and the time left (or past). */
export function BreachClock({ breach }: { breach: Breach }) {
  const { t, dateTime } = useI18n();
  const { status, minutesLeft } = breach.clock;
  const span = Math.abs(minutesLeft ?? 0);
  const time = { hours: Math.floor(span / 60), minutes: span % 60 };
  return (
    <p class="breach-clock">
      <span class={`badge ${BADGE[status]}`}>{t(`breach.clock.${status}`)}</span> <span>{t('breach.dueAt', { at: dateTime(breach.clock.dueAt) })}</span>
      {minutesLeft !== null && <span class="block small">{minutesLeft >= 0 ? t('breach.timeLeft', time) : t('breach.timePast', time)}</span>}
    </p>
  );
}
