import type { AccessEventRow, AccessHistory, LogService } from '../audit/index.js';
import type { ConsentRow } from '../consent/index.js';
import { DomainError } from '../errors/index.js';
import type { Clock } from '../infra/clock.js';
import type { CitizenRecord } from '../vault/index.js';
import { assembleBundle, type ExportAccessEvent, type ExportBundle, type ExportConsent, type ExportLicence, type ExportTreeHead } from './export-bundle.js';
import type { ExportSnapshot, ExportStore, LicenceUse } from './export-store.js';
import type { RightsRequest } from './request-lifecycle.js';

/** Where the bundle's sections come from: the vault, the consents, the access log, the exchange's settlement. */
export interface ExportSources {
  /** The citizen's requests, owner only (RightsService fits). */
  requests: { mineOne(nationalId: string, id: string): Promise<{ request: RightsRequest }> };
  records: { recordsOf(nationalId: string): Promise<CitizenRecord[]> };
  consents: { listForCitizen(nationalId: string): Promise<ConsentRow[]>; artefact(consent: ConsentRow): Promise<string> };
  history: AccessHistory;
  logProofs: Pick<LogService, 'latest' | 'size' | 'treeHeads' | 'inclusionProofs' | 'key'>;
  earnings: {
    earnings(subjectId: string, period: string): Promise<{ items: { licenceId: string; records: number; amountDong: string }[]; totalDong: string }>;
  };
  store: ExportStore;
  clock: Clock;
}

const PAGE = 5_000;

/**
 * Carries out EXPORT requests and generates their bundles. Carrying one out fixes its snapshot,
 * the latest signed tree head, so every access event in the bundle comes with a proof against a
 * head the citizen can check (and the ledger anchors). The bundle itself is generated from the
 * vault on each download and never kept: no plaintext copy of it is at rest.
 */
export class ExportService {
  constructor(private readonly s: ExportSources) {}

  /**
   * Fixes the snapshot of an EXPORT request (once: a second call answers the first). Undefined
   * while no signed head covers what was logged before the request was filed (a head signed before
   * it, over a log that has grown since): the worker tries again on its next round, and the log
   * service signs a head over the grown log meanwhile. So an export holds at least every read made
   * before the citizen asked.
   */
  async produce(request: RightsRequest): Promise<ExportSnapshot | undefined> {
    if (request.kind !== 'EXPORT') throw new DomainError('invalid_request', `request ${request.id} is ${request.kind}, not an export`);
    const kept = await this.s.store.get(request.id);
    if (kept) return kept;
    const head = await this.s.logProofs.latest();
    const size = await this.s.logProofs.size();
    if (!head && size > 0) return undefined;
    if (head && head.treeSize < size && new Date(head.timestamp) < request.receivedAt) return undefined;
    const now = this.s.clock.now();
    const treeSize = head?.treeSize ?? 0;
    return this.s.store.keep({
      requestId: request.id,
      subjectId: request.subjectId,
      treeSize,
      asOf: head ? new Date(head.timestamp) : now,
      counts: await this.s.store.counts(request.subjectId, treeSize),
      producedAt: now,
    });
  }

  /** The bundle of one of the citizen's EXPORT requests, once it is completed; another citizen's request is not found. */
  async bundle(nationalId: string, requestId: string): Promise<ExportBundle> {
    const { request } = await this.s.requests.mineOne(nationalId, requestId);
    if (request.kind !== 'EXPORT') throw new DomainError('not_found', `request ${requestId} is not an export`);
    if (request.state !== 'COMPLETED')
      throw new DomainError('export_not_ready', `the export is not ready: the request is ${request.state}`, { state: request.state });
    // Completed by hand, without the worker: its snapshot is fixed now.
    const snapshot = (await this.s.store.get(request.id)) ?? (await this.produce(request));
    if (!snapshot) throw new DomainError('export_not_ready', 'the export is not ready: the access log has no signed tree head yet', { state: request.state });

    const [records, consents, events, licences, head] = await Promise.all([
      this.s.records.recordsOf(nationalId),
      this.consents(nationalId),
      this.accessEvents(request.subjectId, snapshot.treeSize),
      this.licences(request.subjectId, snapshot.asOf),
      this.treeHead(snapshot.treeSize),
    ]);
    return assembleBundle({
      requestId: request.id,
      subjectId: request.subjectId,
      generatedAt: this.s.clock.now().toISOString(),
      asOf: snapshot.asOf.toISOString(),
      log: { treeHead: head, publicKey: { keyId: this.s.logProofs.key.keyId, jwk: this.s.logProofs.key.publicJwk } },
      records: records.map((r) => ({
        id: r.id,
        category: r.category,
        version: r.version,
        custodian: r.custodian,
        depositedAt: r.depositedAt,
        fields: r.fields,
        commitment: r.commitment,
        salt: r.salt,
      })),
      consents,
      accessEvents: events,
      licences,
    });
  }

  private async consents(nationalId: string): Promise<ExportConsent[]> {
    const rows = await this.s.consents.listForCitizen(nationalId);
    return Promise.all(
      rows.map(async (c) => ({
        id: c.id,
        consumer: { id: c.consumer_org_id, name: c.consumer_name },
        purpose: c.purpose,
        status: c.status,
        requestedFields: c.requested_fields,
        grantedFields: c.granted_fields,
        mode: c.access_mode.mode,
        validFrom: c.valid_from.toISOString(),
        validUntil: c.valid_until.toISOString(),
        retentionDays: c.retention_days,
        onwardTransfer: c.onward_transfer,
        crossBorder: c.cross_border,
        justification: c.justification,
        requestedAt: c.requested_at.toISOString(),
        decidedAt: c.decided_at?.toISOString() ?? null,
        artefactHash: c.artefact_hash,
        signedArtefact: await this.s.consents.artefact(c),
      })),
    );
  }

  /** The subject's reads in the snapshot's tree, newest first, each with its inclusion proof. */
  private async accessEvents(subjectId: string, treeSize: number): Promise<ExportAccessEvent[]> {
    const rows: AccessEventRow[] = [];
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const batch = await this.s.history.accessEventsOf(subjectId, { limit: PAGE, ...(after ? { after } : {}) });
      rows.push(...batch.filter((e) => e.leaf_index !== null && Number(e.leaf_index) < treeSize && e.log_entry !== null));
      if (batch.length < PAGE) break;
      const last = batch[batch.length - 1]!;
      after = { at: last.at, id: last.id };
    }
    if (rows.length === 0) return [];
    const proofs = await this.s.logProofs.inclusionProofs(
      rows.map((e) => Number(e.leaf_index)),
      treeSize,
    );
    return rows.map((e, i) => ({
      id: e.id,
      consentId: e.consent_id,
      consumer: { id: e.consumer_org_id, name: e.consumer_name },
      purpose: e.purpose,
      fields: e.fields,
      outcome: e.outcome,
      reason: e.reason,
      at: e.at.toISOString(),
      leafIndex: Number(e.leaf_index),
      logEntry: e.log_entry!,
      inclusionProof: { treeSize, leafHash: proofs[i]!.leafHash, auditPath: proofs[i]!.auditPath },
    }));
  }

  private async licences(subjectId: string, asOf: Date): Promise<ExportLicence[]> {
    const uses = await this.s.store.licenceUses(subjectId, asOf);
    const periods = [...new Set(uses.map((u) => u.period))].sort();
    const earned = new Map<string, { period: string; records: number; amountDong: string }[]>();
    for (const period of periods) {
      for (const item of (await this.s.earnings.earnings(subjectId, period)).items) {
        earned.set(item.licenceId, [...(earned.get(item.licenceId) ?? []), { period, records: item.records, amountDong: item.amountDong }]);
      }
    }
    const byLicence = new Map<string, LicenceUse[]>();
    for (const u of uses) byLicence.set(u.licence_id, [...(byLicence.get(u.licence_id) ?? []), u]);
    return [...byLicence.values()].map((months) => {
      const first = months[0]!;
      const earnings = earned.get(first.licence_id) ?? [];
      return {
        licenceId: first.licence_id,
        product: { id: first.product_id, kind: first.product_kind, title: first.product_title },
        buyer: { id: first.buyer_org_id, name: first.buyer_name },
        purpose: first.purpose,
        uses: months.reduce((n, m) => n + m.uses, 0),
        records: months.reduce((n, m) => n + Number(m.records), 0),
        firstUseAt: new Date(Math.min(...months.map((m) => m.first_at.getTime()))).toISOString(),
        lastUseAt: new Date(Math.max(...months.map((m) => m.last_at.getTime()))).toISOString(),
        earnings,
        earnedDong: earnings.reduce((sum, e) => sum + BigInt(e.amountDong), 0n).toString(),
      };
    });
  }

  /** The signed head of exactly the snapshot's size (none for an empty log). */
  private async treeHead(treeSize: number): Promise<ExportTreeHead | null> {
    if (treeSize === 0) return null;
    const [head] = await this.s.logProofs.treeHeads(1, treeSize + 1);
    if (!head || head.treeSize !== treeSize) throw new Error(`the signed tree head of size ${treeSize} is missing from the log`);
    return { treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp, keyId: head.keyId, signature: head.signature, anchor: head.anchor };
  }
}
