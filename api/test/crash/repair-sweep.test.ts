import { describe, expect, it } from 'vitest';
import { TestPasskey } from '../../../test/chaincode/passkey-device.js';
import { citizenToken, registerOrganization, requests, useStack, type TestStack } from '../stack.js';

const AN = '001099012345';

async function until<T>(what: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the repair sweep');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Makes every insert into `table` fail until the returned function is called: a process dying right there. */
async function failInserts(stack: TestStack, table: string): Promise<() => Promise<void>> {
  await stack.api.sql.unsafe(`create or replace function fail_insert() returns trigger language plpgsql as $$ begin raise exception 'injected crash'; end $$`);
  await stack.api.sql.unsafe(`create trigger fail_insert before insert on ${table} for each row execute function fail_insert()`);
  return async () => void (await stack.api.sql.unsafe(`drop trigger fail_insert on ${table}`));
}

const request = (justification: string) => ({
  subject: { nationalId: AN },
  purpose: 'public_service_delivery',
  fields: ['residence.province'],
  mode: 'PERIODIC',
  frequency: { limit: 100, per: 'DAY' },
  validUntil: new Date(Date.now() + 86400_000).toISOString(),
  retentionDays: 1,
  justification,
});

describe('the repair sweep finishes what a crash interrupted, from the ledger', () => {
  const shared = useStack({ repair: { graceMs: 300, settleMs: 1_000, intervalMs: 250 } });
  const { call, ok } = requests(() => shared.stack.url);

  it('gives a decision committed on the ledger its read-model state and its consent_decision leaf', async () => {
    const stack = shared.stack;
    const bank = await registerOrganization(stack, ['consumer']);
    const { id } = await ok<{ id: string }>(await call('/v1/consents', await bank.token(), { body: request('Quyết định bị gián đoạn') }), 201);
    // The API died right after the ledger committed the approval: no Postgres write, no leaf.
    await stack.api.ledger.submit('consent', 'ApproveConsent', id, '');
    const leaf = await until(async () => {
      const rows = await stack.api.sql<
        { entry: string }[]
      >`select entry from log_leaves where kind = 'consent_decision' and (entry::jsonb ->> 'consentId') = ${id}`;
      return rows.length > 0 && rows;
    });
    expect(leaf).toHaveLength(1);
    expect(JSON.parse(leaf[0]!.entry)).toMatchObject({ action: 'approve', status: 'ACTIVE' });
    const [row] = await stack.api.sql<{ status: string }[]>`select status from consents where id = ${id}`;
    expect(row!.status).toBe('ACTIVE');
    // Idempotent: later runs add nothing.
    await stack.api.repair.run();
    await stack.api.repair.run();
    expect(await stack.api.sql`select 1 from log_leaves where kind = 'consent_decision' and (entry::jsonb ->> 'consentId') = ${id}`).toHaveLength(1);
  });

  it('gives a device-signed decision committed on the ledger a leaf with the evidence hashes the ledger keeps', async () => {
    const stack = shared.stack;
    const bank = await registerOrganization(stack, ['consumer']);
    const { id } = await ok<{ id: string }>(await call('/v1/consents', await bank.token(), { body: request('Quyết định ký bằng thiết bị bị gián đoạn') }), 201);
    const [consent] = await stack.api.sql<{ artefact_hash: string }[]>`select artefact_hash from consents where id = ${id}`;
    const statement = {
      consentId: id,
      artefactHash: consent!.artefact_hash,
      action: 'approve' as const,
      grantedFields: ['residence.province'],
      at: new Date().toISOString(),
    };
    const assertion = new TestPasskey().assert(TestPasskey.challenge(statement));
    // The API died right after the ledger committed the device-signed approval: no leaf, no evidence row.
    await stack.api.ledger.submitTransientWithReceipt('consent', 'DecideConsentWithPasskey', [JSON.stringify(statement)], {
      passkeyAssertion: JSON.stringify(assertion),
    });
    const leaf = await until(async () => {
      const rows = await stack.api.sql<
        { entry: string }[]
      >`select entry from log_leaves where kind = 'consent_decision' and (entry::jsonb ->> 'consentId') = ${id}`;
      return rows.length > 0 && rows;
    });
    const { items } = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('consent', 'GetDecisionEvidence', id)).toString()) as {
      items: { txId: string; publicKeyHash: string; assertionHash: string; challenge: string }[];
    };
    expect(items).toHaveLength(1);
    expect(JSON.parse(leaf[0]!.entry)).toMatchObject({
      action: 'approve',
      status: 'ACTIVE',
      transactionId: items[0]!.txId,
      evidence: { method: 'passkey', publicKeyHash: items[0]!.publicKeyHash, assertionHash: items[0]!.assertionHash, challenge: items[0]!.challenge },
    });
  });

  it('makes the read-model row of a consent request whose request died after the ledger committed it, from its intent', async () => {
    const stack = shared.stack;
    const bank = await registerOrganization(stack, ['consumer']);
    const heal = await failInserts(stack, 'consents');
    let status: number;
    try {
      status = (await call('/v1/consents', await bank.token(), { body: request('Yêu cầu bị gián đoạn') })).status;
    } finally {
      await heal();
    }
    expect(status).toBe(500);
    const list = await until(async () => {
      const page = await ok<{ items: { id: string; justification: string; status: string }[] }>(await call('/v1/consents', await bank.token()));
      return page.items.length > 0 && page.items;
    });
    expect(list).toMatchObject([{ justification: 'Yêu cầu bị gián đoạn', status: 'REQUESTED' }]);
    expect(await stack.api.sql`select 1 from consent_intents where id = ${list[0]!.id}`).toHaveLength(0);
    // The citizen can answer it like any other.
    expect((await call(`/v1/consents/${list[0]!.id}/approve`, await citizenToken(stack, AN), { body: {} })).status).toBe(200);
  });

  it('drops a consent intent that never reached the ledger, and shows its repairs in /ready and /metrics', async () => {
    const stack = shared.stack;
    const bank = await registerOrganization(stack, ['consumer']);
    const [subject] = await stack.api.sql<{ id: string }[]>`select id from subjects limit 1`;
    const orphan = '01930000-0000-7000-8000-00000000beef';
    await stack.api
      .sql`insert into consent_intents (id, consent, artefact_salt, created_at) values (${orphan}, ${stack.api.sql.json({ id: orphan, subject_id: subject!.id, consumer_org_id: bank.id })}, ${Buffer.alloc(32)}, now() - interval '1 hour')`;
    await until(async () => (await stack.api.sql`select 1 from consent_intents where id = ${orphan}`).length === 0);
    const ready = await ok<{ repair: { runs: number; repaired: Record<string, number>; lastError: string | null } }>(await call('/ready', undefined));
    expect(ready.repair.runs).toBeGreaterThan(1);
    expect(ready.repair.repaired).toMatchObject({ orphanIntents: 1 });
    expect(ready.repair.repaired.decisionLeaves).toBeGreaterThanOrEqual(1);
    expect(ready.repair.repaired.consentRows).toBeGreaterThanOrEqual(1);
    const metrics = await (await call('/metrics', undefined)).text();
    expect(metrics).toMatch(/^cv_repaired_total\{kind="orphanIntents"\} 1$/m);
  });

  it('answers a deposit once its commitment is on the ledger, and finishes it if a later step fails: no retry, no duplicate', async () => {
    const stack = shared.stack;
    const custodian = await registerOrganization(stack, ['custodian']);
    const heal = await failInserts(stack, 'statistics_profiles');
    let res: Response;
    try {
      res = await call('/v1/records', await custodian.token(), {
        body: { subject: { nationalId: '079188004321' }, category: 'residence', fields: { province: 'Đà Nẵng' } },
      });
    } finally {
      await heal();
    }
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const citizen = await citizenToken(stack, '079188004321');
    const records = await until(async () => {
      const mine = await ok<{ items: { id: string }[] }>(await call('/v1/me/records', citizen));
      return mine.items.length > 0 && mine.items;
    });
    expect(records.map((r) => r.id)).toEqual([id]);
    expect(await stack.api.sql`select 1 from log_leaves where kind = 'record_deposit' and (entry::jsonb ->> 'recordId') = ${id}`).toHaveLength(1);
    expect(await stack.api.sql`select 1 from statistics_profiles where subject_id = (select subject_id from records where id = ${id})`).toHaveLength(1);
  });

  it('makes the row of a licence the ledger issued while its request died, and applies a product state the read model missed', async () => {
    const stack = shared.stack;
    const provider = await registerOrganization(stack, ['provider']);
    const buyer = await registerOrganization(stack, ['consumer']);
    const operator = (
      (await (
        await fetch(stack.url + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'operator' }) })
      ).json()) as { access_token: string }
    ).access_token;
    const draft = await ok<{ id: string }>(
      await call('/v1/products', await provider.token(), {
        body: {
          title: { vi: 'Thống kê thử', en: 'Test statistics' },
          description: { vi: 'Thử sửa chữa.', en: 'Repair under test.' },
          kind: 'AGGREGATE',
          outputSchema: { type: 'object' },
          terms: {
            permittedPurposes: ['academic_research'],
            durationDays: 30,
            prohibitedActions: ['re_identification', 'resale'],
            crossBorder: false,
            attribution: true,
            minCohortSize: 10,
            quota: null,
          },
          plans: [{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '1000' }],
          aggregate: { dimensions: ['province'] },
        },
      }),
      201,
    );
    await ok(await call(`/v1/products/${draft.id}/submit`, await provider.token(), { body: {} }));
    const product = await ok<{ id: string; termsHash: string }>(await call(`/v1/products/${draft.id}/approve`, operator, { body: {} }));

    const heal = await failInserts(stack, 'licences');
    let status: number;
    try {
      status = (
        await call('/v1/licences', await buyer.token(), {
          body: { productId: product.id, planId: 'per-query', purpose: 'academic_research', acceptTerms: product.termsHash },
        })
      ).status;
    } finally {
      await heal();
    }
    expect(status).toBe(500);
    const licences = await until(async () => {
      const page = await ok<{ items: { id: string; status: string }[] }>(await call('/v1/licences', await buyer.token()));
      return page.items.length > 0 && page.items;
    });
    expect(licences).toMatchObject([{ status: 'ACTIVE' }]);

    // A suspension committed on the ledger that the read model never saw (the API died before writing it).
    await stack.api.ledger.submit('products', 'SuspendProduct', product.id);
    await stack.api.sql`update products set status = 'LISTED' where id = ${product.id}`; // as if the projection had not run
    await until(async () => {
      const [row] = await stack.api.sql<{ status: string }[]>`select status from products where id = ${product.id}`;
      return row?.status === 'SUSPENDED';
    });
  });
});
