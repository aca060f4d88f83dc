import type { Consent, ConsentAction } from '@citizen-vault/chaincode/rules';
import type { AccessRecorder } from '../audit/index.js';
import { decisionEntry, intentRow, type ConsentStore } from '../consent/index.js';
import type { ExchangeRepair } from '../exchange/index.js';
import type { Sql } from '../infra/database.js';
import type { Worker } from '../infra/worker.js';
import { LedgerError } from '../ledger/fabric-ledger.js';
import type { VaultService } from '../vault/index.js';

/** What the sweep asks the ledger: the committed state of a consent or a commitment. */
export interface RepairLedger {
  evaluate(contract: string, fn: string, ...args: string[]): Promise<Uint8Array>;
}

const DECISIONS: Record<string, Exclude<ConsentAction, 'expire'>> = {
  ConsentApproved: 'approve',
  ConsentRejected: 'reject',
  ConsentPaused: 'pause',
  ConsentResumed: 'resume',
  ConsentRevoked: 'revoke',
};
const PRODUCT_EVENTS = new Set([
  'ProductCreated',
  'ProductSubmitted',
  'ProductApproved',
  'ProductRejected',
  'ProductSuspended',
  'ProductReinstated',
  'ProductDelisted',
]);

/** What one run repaired, by kind. */
export interface Repaired {
  consentRows: number;
  consentStates: number;
  decisionLeaves: number;
  deposits: number;
  depositLeaves: number;
  licences: number;
  products: number;
  orphanIntents: number;
  orphanRecords: number;
  staleBlocks: number;
}

export interface RepairStatus {
  runs: number;
  lastRunAt: string | null;
  /** Totals since the database was created. */
  repaired: Repaired;
  lastError: string | null;
}

export interface RepairSweepOptions {
  /** A committed transaction is left to its own request this long before the sweep finishes its work (10 s). */
  graceMs?: number;
  /** A revoke or pause block, a consent request or a deposit with no ledger outcome is settled from the ledger after this long (2 min). */
  settleMs?: number;
  /** How often the sweep runs after the first run at start (30 s). */
  intervalMs?: number;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

const NONE: Repaired = {
  consentRows: 0,
  consentStates: 0,
  decisionLeaves: 0,
  deposits: 0,
  depositLeaves: 0,
  licences: 0,
  products: 0,
  orphanIntents: 0,
  orphanRecords: 0,
  staleBlocks: 0,
};

interface EventRow {
  block_number: string;
  transaction_id: string;
  name: string;
  payload: Record<string, unknown>;
  at: Date;
}

/**
 * Finishes what a crash interrupted, from the ledger's committed events (as the ledger projector
 * stored them): a consent request or licence with no read-model row, a decision or deposit with no
 * log leaf, a product state not applied; and settles what never reached the ledger: a consent intent,
 * an unconfirmed record, a revoke's block. It walks the events once, in order, from its own
 * checkpoint (each run only what is new and old enough that its own request has had time to finish),
 * and every repair is idempotent: a leaf is tied to its ledger transaction, rows are inserted only
 * if missing and states only move forward.
 */
export class RepairSweep implements Worker {
  readonly name = 'repair sweep';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Repaired> | undefined;
  private lastError: string | null = null;
  private readonly graceMs: number;
  private readonly settleMs: number;

  constructor(
    private readonly sql: Sql,
    private readonly ledger: RepairLedger,
    private readonly log: AccessRecorder,
    private readonly parts: { consents: ConsentStore; vault: Pick<VaultService, 'repairDeposit' | 'dropUnconfirmed'>; products: ExchangeRepair },
    private readonly options: RepairSweepOptions = {},
  ) {
    this.graceMs = options.graceMs ?? 10_000;
    this.settleMs = options.settleMs ?? 120_000;
  }

  start(): void {
    const tick = (): void => {
      void this.run().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.options.intervalMs ?? 30_000).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  /** One pass; concurrent callers share the pass in progress. */
  run(): Promise<Repaired> {
    this.running ??= this.pass()
      .then(
        (r) => {
          this.lastError = null;
          return r;
        },
        (err: unknown) => {
          this.lastError = err instanceof Error ? err.message : String(err);
          this.options.log?.('repair sweep failed; it runs again later', { error: this.lastError });
          return { ...NONE };
        },
      )
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async status(): Promise<RepairStatus> {
    const [row] = await this.sql<
      { runs: string; last_run_at: Date | null; repaired: Partial<Repaired> }[]
    >`select runs, last_run_at, repaired from repair_state`;
    return {
      runs: Number(row?.runs ?? 0),
      lastRunAt: row?.last_run_at?.toISOString() ?? null,
      repaired: { ...NONE, ...row?.repaired },
      lastError: this.lastError,
    };
  }

  private async pass(): Promise<Repaired> {
    const repaired = { ...NONE };
    const [state] = await this.sql<{ next_block: string }[]>`select next_block from repair_state`;
    const [projected] = await this.sql<{ block_number: string }[]>`select block_number from ledger_checkpoints where name = 'ledger-read-model'`;
    const from = Number(state?.next_block ?? 0);
    let until = Number(projected?.block_number ?? 0);
    // Stop before the first block holding an event too recent: its request may still be finishing it.
    const [recent] = await this.sql<{ block: string | null }[]>`
      select min(block_number) as block from ledger_events where block_number >= ${from} and at > now() - ${this.graceMs} * interval '1 millisecond'`;
    if (recent?.block !== null && recent?.block !== undefined) until = Math.min(until, Number(recent.block));
    if (until > from) {
      const events = await this.sql<EventRow[]>`
        select block_number, transaction_id, name, payload, at from ledger_events
        where block_number >= ${from} and block_number < ${until} order by block_number, tx_index`;
      for (const e of events) await this.repairEvent(e, repaired);
    }
    await this.settle(repaired);
    await this.sql.begin(async (tx) => {
      const [row] = await tx<{ repaired: Partial<Repaired> }[]>`select repaired from repair_state for update`;
      const total: Repaired = { ...NONE, ...row?.repaired };
      for (const k of Object.keys(NONE) as (keyof Repaired)[]) total[k] += repaired[k];
      await tx`update repair_state set next_block = greatest(next_block, ${Math.max(from, until)}), runs = runs + 1, last_run_at = now(), repaired = ${tx.json(total as never)}`;
    });
    if (Object.values(repaired).some((n) => n > 0)) this.options.log?.('repair sweep finished interrupted work', { ...repaired });
    return repaired;
  }

  private async repairEvent(e: EventRow, r: Repaired): Promise<void> {
    const p = e.payload;
    if (e.name === 'ConsentRequested') {
      if (await this.repairConsentRow(String(p.consentId))) r.consentRows++;
      return;
    }
    const action = DECISIONS[e.name];
    if (action) {
      const consentId = String(p.consentId);
      if (await this.repairConsentRow(consentId)) r.consentRows++;
      const moved = await this.sql`
        update consents set status = ${String(p.status)}, granted_fields = ${p.grantedFields as string[]}, updated_at = ${String(p.at)},
          decided_at = coalesce(decided_at, case when ${action} in ('approve', 'reject') then ${String(p.at)}::timestamptz end),
          blocked_by = case when ${String(p.status)} = 'ACTIVE' then blocked_by end, blocked_at = case when ${String(p.status)} = 'ACTIVE' then blocked_at end
        where id = ${consentId} and updated_at < ${String(p.at)}`;
      if (moved.count > 0) r.consentStates++;
      if (!(await this.hasLeaf(e.transaction_id, 'consent_decision', 'consentId', consentId, String(p.at)))) {
        const consent = { id: consentId, subject_id: String(p.subjectId), consumer_org_id: String(p.consumerOrgId), purpose: String(p.purpose) };
        const entry = decisionEntry(consent, action, {
          status: p.status as Consent['status'],
          grantedFields: p.grantedFields as string[],
          updatedAt: String(p.at),
        });
        // A device-signed decision's leaf carries the same hashes the ledger keeps, as the API writes it.
        const signed = p.evidence as { publicKeyHash: string; assertionHash: string; challenge: string } | undefined;
        await this.log.append(
          'consent_decision',
          signed
            ? {
                ...entry,
                transactionId: e.transaction_id,
                evidence: { method: 'passkey', publicKeyHash: signed.publicKeyHash, assertionHash: signed.assertionHash, challenge: signed.challenge },
              }
            : entry,
          e.transaction_id,
        );
        r.decisionLeaves++;
      }
      return;
    }
    if (e.name === 'CommitmentAnchored') {
      const recordId = String(p.recordId);
      const [record] = await this.sql<{ confirmed: boolean }[]>`select confirmed from records where id = ${recordId}`;
      if (!record) return; // deposited by another system: nothing of it is kept here
      if (!record.confirmed) {
        if (await this.parts.vault.repairDeposit(recordId, e.transaction_id, String(p.at))) r.deposits++;
      } else if (!(await this.hasLeaf(e.transaction_id, 'record_deposit', 'recordId', recordId))) {
        await this.parts.vault.repairDeposit(recordId, e.transaction_id, String(p.at));
        r.depositLeaves++;
      }
      return;
    }
    if (e.name === 'LicenceIssued') {
      if (await this.parts.products.repairLicence(String(p.licenceId))) r.licences++;
      return;
    }
    if (PRODUCT_EVENTS.has(e.name)) {
      if (await this.parts.products.repairProduct(String(p.productId))) r.products++;
    }
  }

  /** Writes a consent's read-model row from its intent (or, failing that, from the ledger alone) if it is missing. */
  private async repairConsentRow(consentId: string): Promise<boolean> {
    const [exists] = await this.sql`select 1 from consents where id = ${consentId}`;
    if (exists) return false;
    const onLedger = await this.ledgerConsent(consentId);
    if (!onLedger) return false;
    const [intent] = await this.sql<
      { consent: Record<string, unknown>; artefact_salt: Buffer }[]
    >`select consent, artefact_salt from consent_intents where id = ${consentId}`;
    // Inserted as requested, then moved at once to the ledger's current state: never through a state
    // it has left (an ACTIVE row for a consent already revoked would let a read through).
    if (intent) {
      await this.parts.consents.insert({ ...intentRow(intent.consent, intent.artefact_salt, 'REQUESTED'), updated_at: new Date(onLedger.requestedAt) });
    } else {
      // Requested by another system: what the ledger knows, without the off-ledger justification and artefact salt.
      await this.parts.consents.insert({
        id: onLedger.id,
        subject_id: onLedger.subjectId,
        consumer_org_id: onLedger.consumerOrgId,
        purpose: onLedger.purpose,
        requested_fields: onLedger.requestedFields,
        access_mode: onLedger.accessMode,
        valid_from: new Date(onLedger.validFrom),
        valid_until: new Date(onLedger.validUntil),
        retention_days: onLedger.retentionDays,
        onward_transfer: onLedger.onwardTransfer,
        cross_border: onLedger.crossBorder,
        justification: '',
        status: 'REQUESTED',
        artefact: { id: onLedger.id, ledgerOnly: true },
        artefact_salt: Buffer.alloc(0),
        artefact_hash: onLedger.artefactHash,
        requested_at: new Date(onLedger.requestedAt),
        updated_at: new Date(onLedger.requestedAt),
      });
    }
    await this.parts.consents.applyDecision(consentId, {
      status: onLedger.status,
      grantedFields: onLedger.grantedFields,
      decidedAt: onLedger.decidedAt,
      updatedAt: onLedger.updatedAt,
    });
    return true;
  }

  /** Is this ledger transaction's leaf in the log? Tied by transaction id, or — written before that existed — by its entry. */
  private async hasLeaf(
    transactionId: string,
    kind: 'consent_decision' | 'record_deposit',
    key: 'consentId' | 'recordId',
    id: string,
    at?: string,
  ): Promise<boolean> {
    const [tied] = await this.sql`select 1 from ledger_leaves where transaction_id = ${transactionId}`;
    if (tied) return true;
    const legacy = await this.sql<{ entry: string }[]>`select entry from log_leaves where kind = ${kind} and (entry::jsonb ->> ${key}) = ${id}`;
    if (kind === 'record_deposit') return legacy.length > 0;
    return legacy.some((l) => (JSON.parse(l.entry) as { at?: string }).at === at);
  }

  /** Settles what has waited too long for a ledger outcome: blocks, consent intents, unconfirmed records. */
  private async settle(r: Repaired): Promise<void> {
    const blocked = await this.sql<
      { id: string }[]
    >`select id from consents where blocked_by is not null and blocked_at < now() - ${this.settleMs} * interval '1 millisecond'`;
    for (const { id } of blocked) {
      const onLedger = await this.ledgerConsent(id);
      if (!onLedger) continue;
      if (onLedger.status === 'ACTIVE')
        await this.parts.consents.unblock(id); // the revoke or pause never committed
      else
        await this.parts.consents.applyDecision(id, {
          status: onLedger.status,
          grantedFields: onLedger.grantedFields,
          decidedAt: onLedger.decidedAt,
          updatedAt: onLedger.updatedAt,
        });
      r.staleBlocks++;
    }
    const intents = await this.sql<{ id: string }[]>`select id from consent_intents where created_at < now() - ${this.settleMs} * interval '1 millisecond'`;
    for (const { id } of intents) {
      if (await this.ledgerConsent(id)) {
        if (await this.repairConsentRow(id)) r.consentRows++;
        else await this.parts.consents.dropIntent(id);
      } else {
        await this.parts.consents.dropIntent(id);
        r.orphanIntents++;
      }
    }
    const records = await this.sql<
      { id: string }[]
    >`select id from records where not confirmed and created_at < now() - ${this.settleMs} * interval '1 millisecond'`;
    for (const { id } of records) {
      const [row] = await this.sql<{ version: number }[]>`select version from record_versions where record_id = ${id} order by version desc limit 1`;
      const anchored = await this.ledger.evaluate('commitments', 'GetCommitment', id, String(row?.version ?? 1)).then(
        (bytes) => JSON.parse(Buffer.from(bytes).toString()) as { txId: string; anchoredAt: string },
        (err: unknown) => (err instanceof LedgerError && err.code === 'not_found' ? undefined : Promise.reject(err)),
      );
      if (anchored) {
        if (await this.parts.vault.repairDeposit(id, anchored.txId, anchored.anchoredAt)) r.deposits++;
      } else {
        await this.parts.vault.dropUnconfirmed(id);
        r.orphanRecords++;
      }
    }
  }

  private async ledgerConsent(id: string): Promise<Consent | undefined> {
    try {
      return JSON.parse(Buffer.from(await this.ledger.evaluate('consent', 'GetConsent', id)).toString()) as Consent;
    } catch (err) {
      if (err instanceof LedgerError && err.code === 'not_found') return undefined;
      throw err;
    }
  }
}
