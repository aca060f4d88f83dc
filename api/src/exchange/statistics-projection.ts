import type { StatisticsStore } from './ports.js';

/** What the vault tells the projection when a record is deposited: its subject, category and (clear) fields. */
export interface DepositListener {
  recordDeposited(subjectId: string, category: string, fields: Readonly<Record<string, unknown>>): Promise<void>;
}

/**
 * Derives the coarse attributes aggregate products may count — province, birth year (never the
 * date), sex, health-insurance status — from a deposited record, and keeps them in the projection.
 */
export class StatisticsProjection implements DepositListener {
  constructor(private readonly store: StatisticsStore) {}

  async recordDeposited(subjectId: string, category: string, fields: Readonly<Record<string, unknown>>): Promise<void> {
    await this.store.upsert(subjectId, derive(category, fields));
  }
}

export function derive(
  category: string,
  fields: Readonly<Record<string, unknown>>,
): { province?: string; birthYear?: number; sex?: string; insuranceStatus?: string } {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  switch (category) {
    case 'identity': {
      const year = text(fields.dateOfBirth)?.slice(0, 4);
      const sex = text(fields.sex)?.toLowerCase();
      return { ...(year && /^\d{4}$/.test(year) ? { birthYear: Number(year) } : {}), ...(sex ? { sex } : {}) };
    }
    case 'residence': {
      const province = text(fields.province);
      return province ? { province } : {};
    }
    case 'health_insurance': {
      const status = text(fields.status)?.toUpperCase();
      return status ? { insuranceStatus: status } : {};
    }
    default:
      return {};
  }
}
