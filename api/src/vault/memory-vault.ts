import type { NewRecord, NewVersion, RecordForRepair, RecordHistory, RecordVersionRow, SubjectRow, VaultStore } from './vault-store.js';

interface MemoryRecord {
  id: string;
  subjectId: string;
  category: string;
  custodianOrgId: string;
  confirmed: boolean;
  requestRef: string | null;
  versions: {
    version: number;
    fields: Record<string, string>;
    sealedSalt: Buffer;
    commitment: string;
    createdAt: Date;
    confirmed: boolean;
    supersededAt: Date | null;
    supersededBy: number | null;
    correctionRef: string | null;
  }[];
}

/** The vault's storage in memory, for unit tests: the same contract as `PgVault`, ciphertext only. */
class MemoryVault implements VaultStore {
  private readonly subjects = new Map<string, SubjectRow & { index: string }>();
  private readonly records = new Map<string, MemoryRecord>();

  constructor(
    private readonly organizationName: (id: string) => string,
    private readonly now: () => Date,
  ) {}

  async subjectByIndex(index: Buffer): Promise<SubjectRow | undefined> {
    const found = [...this.subjects.values()].find((s) => s.index === index.toString('hex'));
    return found ? { id: found.id, wrapped_key: found.wrapped_key, kek_version: found.kek_version } : undefined;
  }

  async insertSubject(id: string, index: Buffer, wrappedKey: Buffer, kekVersion = 1): Promise<SubjectRow> {
    if (!(await this.subjectByIndex(index))) this.subjects.set(id, { id, index: index.toString('hex'), wrapped_key: wrappedKey, kek_version: kekVersion });
    return (await this.subjectByIndex(index))!;
  }

  async insertRecord(r: NewRecord): Promise<void> {
    if (this.records.has(r.id)) throw new Error(`record ${r.id} exists`);
    if (!this.subjects.has(r.subjectId)) throw new Error(`subject ${r.subjectId} does not exist`);
    this.records.set(r.id, {
      id: r.id,
      subjectId: r.subjectId,
      category: r.category,
      custodianOrgId: r.custodianOrgId,
      confirmed: false,
      requestRef: r.requestRef ?? null,
      versions: [
        {
          version: 1,
          fields: { ...r.fields },
          sealedSalt: r.sealedSalt,
          commitment: r.commitment,
          createdAt: this.now(),
          confirmed: true,
          supersededAt: null,
          supersededBy: null,
          correctionRef: null,
        },
      ],
    });
  }

  async recordByRequestRef(custodianOrgId: string, ref: string) {
    const r = [...this.records.values()].find((x) => x.requestRef === ref && x.custodianOrgId === custodianOrgId);
    if (!r) return undefined;
    const v = latest(r, true);
    return { id: r.id, subject_id: r.subjectId, category: r.category, confirmed: r.confirmed, version: v.version, commitment: v.commitment };
  }

  async confirmRecord(id: string): Promise<void> {
    const r = this.records.get(id);
    if (r) r.confirmed = true;
  }

  async dropUnconfirmedRecord(id: string): Promise<void> {
    if (this.records.get(id)?.confirmed === false) this.records.delete(id);
  }

  async recordForRepair(id: string): Promise<RecordForRepair | undefined> {
    const r = this.records.get(id);
    if (!r) return undefined;
    const s = this.subjects.get(r.subjectId)!;
    return { ...this.row(r, false), confirmed: r.confirmed, wrapped_key: s.wrapped_key, kek_version: s.kek_version };
  }

  async subjectWithLatestVersions(subjectId: string): Promise<{ subject: SubjectRow | undefined; versions: RecordVersionRow[] }> {
    const s = this.subjects.get(subjectId);
    if (!s) return { subject: undefined, versions: [] };
    return { subject: { id: s.id, wrapped_key: s.wrapped_key, kek_version: s.kek_version }, versions: await this.latestVersions(subjectId) };
  }

  async latestVersions(subjectId: string): Promise<RecordVersionRow[]> {
    return [...this.records.values()]
      .filter((r) => r.subjectId === subjectId && r.confirmed)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((r) => this.row(r));
  }

  async recordHistory(recordId: string): Promise<RecordHistory | undefined> {
    const r = this.records.get(recordId);
    if (!r) return undefined;
    const s = this.subjects.get(r.subjectId)!;
    return {
      record: { id: r.id, subject_id: r.subjectId, category: r.category, custodian_org_id: r.custodianOrgId, confirmed: r.confirmed },
      subject: { id: s.id, wrapped_key: s.wrapped_key, kek_version: s.kek_version },
      versions: [...r.versions]
        .sort((a, b) => a.version - b.version)
        .map((v) => ({
          version: v.version,
          fields: { ...v.fields },
          sealed_salt: v.sealedSalt,
          commitment: v.commitment,
          created_at: v.createdAt,
          confirmed: v.confirmed,
          superseded_at: v.supersededAt,
          superseded_by: v.supersededBy,
          correction_ref: v.correctionRef,
        })),
    };
  }

  async insertVersion(v: NewVersion): Promise<boolean> {
    const r = this.records.get(v.recordId);
    if (!r) throw new Error(`record ${v.recordId} does not exist`);
    if (r.versions.some((x) => x.version === v.version)) return false;
    r.versions.push({
      version: v.version,
      fields: { ...v.fields },
      sealedSalt: v.sealedSalt,
      commitment: v.commitment,
      createdAt: this.now(),
      confirmed: false,
      supersededAt: null,
      supersededBy: null,
      correctionRef: v.correctionRef,
    });
    return true;
  }

  async confirmVersion(recordId: string, version: number): Promise<void> {
    const r = this.records.get(recordId);
    const written = r?.versions.find((v) => v.version === version && !v.confirmed);
    if (!r || !written) return;
    const at = this.now();
    for (const v of r.versions)
      if (v.version < version && v.confirmed && !v.supersededAt) {
        v.supersededAt = at;
        v.supersededBy = version;
      }
    written.confirmed = true;
    written.createdAt = at;
  }

  async dropUnconfirmedVersion(recordId: string, version: number): Promise<void> {
    const r = this.records.get(recordId);
    if (r) r.versions = r.versions.filter((v) => v.version !== version || v.confirmed);
  }

  /** Erases a subject's data key (crypto-shredding), as the erasure flow does in Postgres. */
  eraseKey(subjectId: string): void {
    const s = this.subjects.get(subjectId);
    if (s) s.wrapped_key = null;
  }

  /** The record at its latest version: the latest served one, or (for repair) the latest written. */
  private row(r: MemoryRecord, servedOnly = true): RecordVersionRow {
    const v = latest(r, servedOnly);
    return {
      record_id: r.id,
      subject_id: r.subjectId,
      category: r.category,
      custodian_org_id: r.custodianOrgId,
      custodian_name: this.organizationName(r.custodianOrgId),
      version: v.version,
      fields: { ...v.fields },
      sealed_salt: v.sealedSalt,
      commitment: v.commitment,
      created_at: v.createdAt,
    };
  }
}

function latest(r: MemoryRecord, confirmedOnly: boolean): MemoryRecord['versions'][number] {
  return r.versions.filter((v) => v.confirmed || !confirmedOnly).reduce((a, b) => (b.version > a.version ? b : a));
}

export type InMemoryVaultStore = VaultStore & { eraseKey(subjectId: string): void };

/** The in-memory vault store twin (`organizationName` stands in for the join to `organizations`). */
export function inMemoryVaultStore(options: { organizationName?: (id: string) => string; now?: () => Date } = {}): InMemoryVaultStore {
  return new MemoryVault(options.organizationName ?? (() => ''), options.now ?? (() => new Date()));
}
