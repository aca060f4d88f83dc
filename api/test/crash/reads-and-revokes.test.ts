import { describe, expect, it } from 'vitest';
import { LedgerError } from '@citizen-vault/api';
import { citizenToken, registerOrganization, requests, useStack, type TestStack } from '../stack.js';

const AN = '001099012345';

async function activeConsent(stack: TestStack, call: ReturnType<typeof requests>['call'], mode: 'ONCE' | 'PERIODIC') {
  const custodian = await registerOrganization(stack, ['custodian']);
  const bank = await registerOrganization(stack, ['consumer']);
  await call('/v1/records', await custodian.token(), { body: { subject: { nationalId: AN }, category: 'residence', fields: { province: 'Huế' } } });
  const res = await call('/v1/consents', await bank.token(), {
    body: {
      subject: { nationalId: AN },
      purpose: 'public_service_delivery',
      fields: ['residence.province'],
      mode,
      ...(mode === 'PERIODIC' ? { frequency: { limit: 10_000, per: 'DAY' } } : {}),
      validUntil: new Date(Date.now() + 86400_000).toISOString(),
      retentionDays: 1,
      justification: 'Thủ tục hành chính',
    },
  });
  const { id } = (await res.json()) as { id: string };
  const citizen = await citizenToken(stack, AN);
  expect((await call(`/v1/consents/${id}/approve`, citizen, { body: {} })).status).toBe(200);
  return { id, bank, citizen, token: await bank.token() };
}

/** Holds the ledger's answer to one transaction until released (or makes it fail), as a slow or refusing ledger would. */
function gateLedger(stack: TestStack, fn: string, outcome: 'commit' | LedgerError = 'commit') {
  const ledger = stack.api.ledger;
  const real = ledger.submitWithReceipt.bind(ledger);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  ledger.submitWithReceipt = async (contract, name, ...args) => {
    if (name !== fn) return real(contract, name, ...args);
    await gate;
    if (outcome !== 'commit') throw outcome;
    return real(contract, name, ...args);
  };
  return { release, restore: () => void (ledger.submitWithReceipt = real) };
}

describe('reads, uses and revokes', () => {
  const shared = useStack();
  const { call } = requests(() => shared.stack.url);

  it('counts a use only together with its access event: a read whose event could not be written does not spend a ONCE consent', async () => {
    const stack = shared.stack;
    const { id, token } = await activeConsent(stack, call, 'ONCE');
    // The access event's write fails (as if the process died between counting and recording).
    await stack.api.sql.unsafe(
      `create or replace function fail_access_event() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`,
    );
    await stack.api.sql.unsafe('create trigger fail_access_event before insert on access_events for each row execute function fail_access_event()');
    try {
      expect((await call(`/v1/consents/${id}/data`, token)).status).toBe(500);
    } finally {
      await stack.api.sql.unsafe('drop trigger fail_access_event on access_events');
    }
    const usage = await stack.api.sql`select uses from consent_usage where consent_id = ${id}`;
    expect(usage).toHaveLength(0);
    const read = await call(`/v1/consents/${id}/data`, token);
    expect(read.status).toBe(200); // not 429: no data was sent, so nothing was used
    expect((await call(`/v1/consents/${id}/data`, token)).status).toBe(429);
  });

  it('blocks reads from the moment a revoke is asked, before the ledger commits it', async () => {
    const stack = shared.stack;
    const { id, citizen, token } = await activeConsent(stack, call, 'PERIODIC');
    const gate = gateLedger(stack, 'RevokeConsent');
    try {
      const revoke = call(`/v1/consents/${id}/revoke`, citizen, { body: {} });
      for (let i = 0; i < 100; i++) {
        const [row] = await stack.api.sql<{ blocked_by: string | null }[]>`select blocked_by from consents where id = ${id}`;
        if (row?.blocked_by) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const during = await call(`/v1/consents/${id}/data`, token);
      expect(during.status).toBe(403);
      expect(((await during.json()) as { code: string }).code).toBe('consent_not_active');
      gate.release();
      expect((await revoke).status).toBe(200);
    } finally {
      gate.restore();
    }
    expect((await call(`/v1/consents/${id}/data`, token)).status).toBe(403);
  });

  it('lifts the block only when the ledger refuses; a ledger that does not answer leaves reads blocked', async () => {
    const stack = shared.stack;
    const refused = await activeConsent(stack, call, 'PERIODIC');
    let gate = gateLedger(stack, 'PauseConsent', new LedgerError('forbidden', 'refused for the test'));
    gate.release();
    expect((await call(`/v1/consents/${refused.id}/pause`, refused.citizen, { body: {} })).status).toBe(403);
    gate.restore();
    expect((await call(`/v1/consents/${refused.id}/data`, refused.token)).status).toBe(200);

    const unknown = await activeConsent(stack, call, 'PERIODIC');
    gate = gateLedger(stack, 'RevokeConsent', new LedgerError('ledger_unavailable', 'no answer'));
    gate.release();
    expect((await call(`/v1/consents/${unknown.id}/revoke`, unknown.citizen, { body: {} })).status).toBe(503);
    gate.restore();
    expect((await call(`/v1/consents/${unknown.id}/data`, unknown.token)).status).toBe(403);
  });

  it("records no granted read after a revoke's commit, however many reads are in flight", async () => {
    const stack = shared.stack;
    const { id, citizen, token } = await activeConsent(stack, call, 'PERIODIC');
    let stop = false;
    const statuses: { status: number; sentAt: number }[] = [];
    const reader = async () => {
      while (!stop) {
        const sentAt = Date.now();
        const res = await call(`/v1/consents/${id}/data`, token);
        await res.arrayBuffer();
        statuses.push({ status: res.status, sentAt });
      }
    };
    const readers = Array.from({ length: 6 }, reader);
    await new Promise((r) => setTimeout(r, 150));
    const revoke = await call(`/v1/consents/${id}/revoke`, citizen, { body: {} });
    expect(revoke.status).toBe(200);
    const answeredAt = Date.now();
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(readers);
    expect(statuses.some((s) => s.status === 200)).toBe(true);
    expect(statuses.filter((s) => s.sentAt >= answeredAt && s.status === 200)).toEqual([]);
    const granted = await stack.api.sql<{ at: Date }[]>`select at from access_events where consent_id = ${id} and outcome = 'GRANTED' order by at desc limit 1`;
    const [row] = await stack.api.sql<{ updated_at: Date; status: string }[]>`select updated_at, status from consents where id = ${id}`;
    expect(row!.status).toBe('REVOKED');
    expect(granted[0]!.at.getTime()).toBeLessThanOrEqual(row!.updated_at.getTime()); // the revoke's ledger time
  });
});
