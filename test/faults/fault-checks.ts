import type { FaultStack } from './fault-stack.js';
import { waitFor } from './fault-stack.js';
import type { Observed } from './fault-load.js';

export interface FaultReport {
  scenario: string;
  runs: number;
  reads200: number;
  /** 200 reads the client saw with no GRANTED access event. */
  lost: number;
  /** Keyed requests still refused with 409 after their lease, by code. */
  stuck: number;
  stuckCodes: string[];
  decisionsWithoutLeaf: number;
  depositsWithoutLeaf: number;
  logVerified: boolean;
  /** Consents whose read-model row is missing or differs from the ledger. */
  readModelMismatches: number;
  consentsOnLedger: number;
  repaired: Record<string, number>;
}

const DECISIONS = ['ConsentApproved', 'ConsentRejected', 'ConsentPaused', 'ConsentResumed', 'ConsentRevoked'];

/** After the load: waits for the read models and the repair sweep to cover the whole ledger, then checks every promise. */
export async function checkAfterFaults(scenario: string, runs: number, stack: FaultStack, observed: Observed, stuck: Observed['keyed']): Promise<FaultReport> {
  const sql = stack.database();
  const ledger = await stack.ledger();
  try {
    const height = await ledger.height();
    // The block projector and then the repair sweep (1.5 s grace) have gone past every block.
    await waitFor(
      async () => {
        const [p] = await sql<{ block_number: string }[]>`select block_number from ledger_checkpoints where name = 'ledger-read-model'`;
        const [r] = await sql<{ next_block: string }[]>`select next_block from repair_state`;
        return Number(p?.block_number ?? 0) >= height && Number(r?.next_block ?? 0) >= height;
      },
      30_000,
      'the repair sweep to cover the ledger',
      () => explainSweep().catch((err: unknown) => `(could not look: ${String(err)})`),
    );
    /** What the sweep was doing: still running passes (and failing why), or silent since some time. */
    async function explainSweep(): Promise<string> {
      const [p] = await sql<{ block_number: string }[]>`select block_number from ledger_checkpoints where name = 'ledger-read-model'`;
      const [r] = await sql<{ next_block: string; runs: string; last_run_at: Date | null }[]>`select next_block, runs, last_run_at from repair_state`;
      const ready = await fetch(stack.url + '/ready').then(
        (res) => res.text(),
        (err: unknown) => String(err),
      );
      return `ledger height ${height}, projected to ${p?.block_number}, swept to ${r?.next_block}; sweep runs ${r?.runs}, last at ${r?.last_run_at?.toISOString()} (now ${new Date().toISOString()}); /ready: ${ready}`;
    }
    // One more pass after the settle window, for blocks and intents near the end.
    await new Promise((r) => setTimeout(r, 1_500));

    let lost = 0;
    let reads200 = 0;
    for (const [consentId, seen] of observed.reads200) {
      reads200 += seen;
      const [row] = await sql<{ n: string }[]>`select count(*) as n from access_events where consent_id = ${consentId} and outcome = 'GRANTED'`;
      lost += Math.max(0, seen - Number(row?.n ?? 0));
    }
    const [decisions] = await sql<{ n: string }[]>`
      select count(*) as n from ledger_events e where e.name = any(${DECISIONS}) and not exists (select 1 from ledger_leaves l where l.transaction_id = e.transaction_id)`;
    const [deposits] = await sql<{ n: string }[]>`
      select count(*) as n from ledger_events e join records r on r.id = (e.payload ->> 'recordId')::uuid
      where e.name = 'CommitmentAnchored' and not exists (select 1 from ledger_leaves l where l.transaction_id = e.transaction_id)`;

    const auditor = (
      (await (
        await fetch(stack.url + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'auditor' }) })
      ).json()) as { access_token: string }
    ).access_token;
    const verification = (await (await fetch(stack.url + '/v1/audit/log/verify?mode=full', { headers: { authorization: `Bearer ${auditor}` } })).json()) as {
      ok: boolean;
    };

    const requested = await sql<{ id: string }[]>`select distinct payload ->> 'consentId' as id from ledger_events where name = 'ConsentRequested'`;
    let mismatches = 0;
    for (const { id } of requested) {
      const onLedger = JSON.parse(Buffer.from(await ledger.evaluate('consent', 'GetConsent', id)).toString()) as { status: string; grantedFields: string[] };
      const [row] = await sql<
        { status: string; granted_fields: string[]; blocked_by: string | null }[]
      >`select status, granted_fields, blocked_by from consents where id = ${id}`;
      if (
        !row ||
        row.status !== onLedger.status ||
        row.blocked_by !== null ||
        [...row.granted_fields].sort().join() !== [...onLedger.grantedFields].sort().join()
      )
        mismatches++;
    }
    const [{ n: rows } = { n: '0' }] = await sql<{ n: string }[]>`select count(*) as n from consents`;
    if (Number(rows) !== requested.length) mismatches += Math.abs(Number(rows) - requested.length);
    const [repair] = await sql<{ repaired: Record<string, number> }[]>`select repaired from repair_state`;

    return {
      scenario,
      runs,
      reads200,
      lost,
      stuck: stuck.filter((k) => k.code === 'idempotency_key_in_use').length,
      stuckCodes: stuck.map((k) => `${k.path.replace(/[0-9a-f-]{36}/, '{id}')}: ${k.code ?? '?'}`),
      decisionsWithoutLeaf: Number(decisions!.n),
      depositsWithoutLeaf: Number(deposits!.n),
      logVerified: verification.ok,
      readModelMismatches: mismatches,
      consentsOnLedger: requested.length,
      repaired: Object.fromEntries(Object.entries(repair?.repaired ?? {}).filter(([, n]) => n > 0)),
    };
  } finally {
    ledger.close();
    await sql.end({ timeout: 2 });
  }
}
