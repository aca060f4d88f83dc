import { beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors/index.js';
import type { Organization } from '../../src/organizations/index.js';
import { aggregateBody, TERMS } from './exchange-fixtures.js';
import { ExchangeWorld } from './exchange-world.js';

// ProductService over its ports: in-memory stores, the chaincode's rules as the ledger, a test clock.
describe('ProductService', () => {
  let world: ExchangeWorld;
  let provider: Organization;
  let buyer: Organization;
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: unknown) => (e instanceof DomainError ? e.code : ((e as { code?: string }).code ?? String(e))),
    );

  beforeEach(async () => {
    world = new ExchangeWorld();
    provider = await world.organization(['provider']);
    buyer = await world.organization(['consumer']);
  });

  describe('listing', () => {
    it("keeps a draft off the ledger, with the pre-listing check's flags", async () => {
      const draft = await world.exchange.products.create(provider, aggregateBody({ terms: { ...TERMS, minCohortSize: 5 } }));
      expect(draft).toMatchObject({ status: 'DRAFT', on_ledger: false, provider_name: provider.name, created_at: world.clock.now() });
      expect(draft.prelisting_flags.map((f) => [f.code, f.severity])).toEqual([['small_minimum_cohort', 'warn']]);
      expect(draft.description_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(world.ledger.submitted).toEqual(['organizations.RegisterOrganization', 'organizations.RegisterOrganization']);
    });

    it('lets only a provider list products', async () => {
      expect(await code(world.exchange.products.create(buyer, aggregateBody()))).toBe('forbidden');
    });

    it('refuses to submit while the pre-listing check blocks, and nothing reaches the ledger', async () => {
      const draft = await world.exchange.products.create(provider, aggregateBody({ terms: { ...TERMS, prohibitedActions: ['re_identification'] } }));
      const err = (await world.exchange.products.submit(provider, draft.id).catch((e: unknown) => e)) as DomainError;
      expect(err.code).toBe('prelisting_check_failed');
      expect(err.extra).toEqual({ flags: [expect.objectContaining({ code: 'resale_permitted', severity: 'block' })] });
      expect(world.ledger.products.size).toBe(0);
    });

    it('puts a submitted product on the ledger for review, and the approved one in the catalogue', async () => {
      const draft = await world.exchange.products.create(provider, aggregateBody());
      const pending = await world.exchange.products.submit(provider, draft.id);
      expect(pending).toMatchObject({ status: 'PENDING_REVIEW', on_ledger: true });
      expect(pending.terms_hash).toBe(world.ledger.products.get(draft.id)!.termsHash);
      expect((await world.exchange.products.catalogue({ statuses: ['LISTED'], limit: 10, offset: 0 })).total).toBe(0);
      world.clock.advance(60_000);
      const listed = await world.exchange.products.review(draft.id, 'approve');
      expect(listed).toMatchObject({ status: 'LISTED', updated_at: world.clock.now() });
      expect((await world.exchange.products.catalogue({ statuses: ['LISTED'], limit: 10, offset: 0 })).items.map((p) => p.id)).toEqual([draft.id]);
    });

    it('submits again after a crash between creating the product on the ledger and submitting it', async () => {
      const draft = await world.exchange.products.create(provider, aggregateBody());
      world.ledger.failNext = { fn: 'SubmitProduct', code: 'ledger_unavailable' };
      expect(await code(world.exchange.products.submit(provider, draft.id))).toBe('ledger_unavailable');
      expect((await world.exchange.products.submit(provider, draft.id)).status).toBe('PENDING_REVIEW');
    });

    it('shows a draft to its provider and the operator only, a listed product to anyone', async () => {
      const draft = await world.exchange.products.create(provider, aggregateBody());
      const other = await world.organization(['provider']);
      expect((await world.exchange.products.visible(draft.id, provider)).id).toBe(draft.id);
      expect((await world.exchange.products.visible(draft.id, 'operator')).id).toBe(draft.id);
      expect(await code(world.exchange.products.visible(draft.id, other))).toBe('not_found');
      expect(await code(world.exchange.products.visible(draft.id, undefined))).toBe('not_found');
      expect(await code(world.exchange.products.submit(other, draft.id))).toBe('not_found');
      await world.exchange.products.submit(provider, draft.id);
      await world.exchange.products.review(draft.id, 'approve');
      expect((await world.exchange.products.visible(draft.id, undefined)).status).toBe('LISTED');
    });

    it('sends a rejected product back to draft with the reason, and refuses a transition the ledger does not allow', async () => {
      const draft = await world.exchange.products.create(provider, aggregateBody());
      await world.exchange.products.submit(provider, draft.id);
      expect(await world.exchange.products.review(draft.id, 'reject', 'pricing')).toMatchObject({ status: 'DRAFT', rejection_reason: 'pricing' });
      expect(await code(world.exchange.products.review(draft.id, 'approve'))).toBe('illegal_transition');
      expect(await code(world.exchange.products.review('0190c1b2-0000-7000-8000-000000000000', 'approve'))).toBe('not_found');
    });

    it('suspends every listed product of a suspended provider, on the ledger too', async () => {
      const a = await world.listed(provider);
      const b = await world.listed(provider);
      const draft = await world.exchange.products.create(provider, aggregateBody());
      await world.exchange.products.suspendListingsOf(provider.id);
      for (const id of [a.id, b.id]) {
        expect((await world.stores.products.product(id))?.status).toBe('SUSPENDED');
        expect(world.ledger.products.get(id)?.status).toBe('SUSPENDED');
      }
      expect((await world.stores.products.product(draft.id))?.status).toBe('DRAFT');
    });
  });

  describe('licences', () => {
    it("issues a licence for the accepted terms, lasting at most the terms' duration", async () => {
      const product = await world.listed(
        provider,
        aggregateBody({ aggregate: { dimensions: ['province'], privacy: { epsilonPerQuery: 0.5, budgetPerLicence: 2 } } }),
      );
      const licence = await world.exchange.products.issueLicence(buyer, {
        productId: product.id,
        planId: 'per-query',
        purpose: 'academic_research',
        termsHash: product.terms_hash!,
        validUntil: '2027-01-01T00:00:00.000Z',
      });
      expect(licence).toMatchObject({
        status: 'ACTIVE',
        buyer_org_id: buyer.id,
        plan_id: 'per-query',
        privacy_budget_micro: '2000000',
        privacy_spent_micro: '0',
      });
      expect(licence.valid_from).toEqual(world.clock.now());
      expect(licence.valid_until.toISOString()).toBe('2026-04-09T10:00:00.000Z'); // 30 days, not the year asked for
      expect(world.ledger.licences.get(licence.id)?.status).toBe('ACTIVE');
    });

    it('refuses what the rules refuse: a non-consumer, an unlisted product, other terms, an unknown plan, a past end', async () => {
      const product = await world.listed(provider);
      const draft = await world.exchange.products.create(provider, aggregateBody());
      const ask = (over: Partial<{ productId: string; planId: string; termsHash: string; validUntil: string }> = {}, who = buyer) =>
        code(
          world.exchange.products.issueLicence(who, {
            productId: product.id,
            planId: 'per-query',
            purpose: 'academic_research',
            termsHash: product.terms_hash!,
            ...over,
          }),
        );
      expect(await ask({}, provider)).toBe('forbidden');
      expect(await ask({ productId: draft.id })).toBe('product_not_serving');
      expect(await ask({ termsHash: 'f'.repeat(64) })).toBe('conflict');
      expect(await ask({ planId: 'gold' })).toBe('invalid_request');
      expect(await ask({ validUntil: '2026-03-10T09:59:59.000Z' })).toBe('invalid_request');
      await world.organizations.setStatus(provider.id, 'SUSPENDED');
      expect(await ask()).toBe('product_not_serving');
      expect(world.ledger.licences.size).toBe(0);
    });

    it('lets the buyer or the operator cancel a licence, and shows it to its parties only', async () => {
      const { licence } = await world.licensed(provider, buyer);
      const stranger = await world.organization(['consumer']);
      expect(await code(world.exchange.products.licenceFor(licence.id, stranger))).toBe('not_found');
      expect((await world.exchange.products.licenceFor(licence.id, provider)).licence.id).toBe(licence.id);
      expect(await code(world.exchange.products.cancelLicence(licence.id, provider))).toBe('forbidden');
      world.clock.advance(1_000);
      expect((await world.exchange.products.cancelLicence(licence.id, buyer)).status).toBe('CANCELLED');
      expect(await code(world.exchange.products.cancelLicence(licence.id, 'operator'))).toBe('illegal_transition');
      expect((await world.exchange.products.licences(buyer, 10, 0)).map((l) => l.id)).toEqual([licence.id]);
      expect((await world.exchange.products.licences(provider, 10, 0)).map((l) => l.id)).toEqual([licence.id]);
      expect(await world.exchange.products.licences(stranger, 10, 0)).toEqual([]);
    });
  });

  describe('repair', () => {
    it('rebuilds a licence the ledger issued whose row a crash lost, once', async () => {
      const product = await world.listed(provider);
      world.clock.advance(1_000);
      const committed = JSON.parse(
        Buffer.from(
          await world.ledger.submit(
            'licences',
            'IssueLicence',
            JSON.stringify({
              id: '0190c1b2-0000-7000-8000-00000000c0de',
              productId: product.id,
              planId: 'per-query',
              buyerOrgId: buyer.id,
              purpose: 'academic_research',
              validFrom: world.clock.now().toISOString(),
              validUntil: '2026-03-20T00:00:00.000Z',
            }),
          ),
        ).toString(),
      ) as { issuedAt: string };
      expect(await world.exchange.products.repairLicence('0190c1b2-0000-7000-8000-00000000c0de')).toBe(true);
      expect(await world.stores.products.licence('0190c1b2-0000-7000-8000-00000000c0de')).toMatchObject({
        status: 'ACTIVE',
        product_id: product.id,
        issued_at: new Date(committed.issuedAt),
      });
      expect(await world.exchange.products.repairLicence('0190c1b2-0000-7000-8000-00000000c0de')).toBe(false);
    });

    it("writes a product's ledger state into the read model when they differ, and only then", async () => {
      const product = await world.listed(provider);
      expect(await world.exchange.products.repairProduct(product.id)).toBe(false);
      world.clock.advance(1_000);
      await world.ledger.submit('products', 'SuspendProduct', product.id); // committed, then the request died
      expect(await world.exchange.products.repairProduct(product.id)).toBe(true);
      expect((await world.stores.products.product(product.id))?.status).toBe('SUSPENDED');
    });
  });
});
