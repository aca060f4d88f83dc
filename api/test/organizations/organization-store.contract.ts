import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ClientAssertionRegistry, OrganizationStore } from '../../src/organizations/index.js';
import { addOrganization, organizationInput } from '../support/fixtures.js';

/**
 * What every organisations store must do, whatever keeps it: run against the Postgres store and its
 * in-memory twin. `fresh` answers an empty store.
 */
export function organizationStoreContract(name: string, fresh: () => Promise<OrganizationStore & ClientAssertionRegistry>): void {
  describe(`organisations store contract: ${name}`, () => {
    let store: OrganizationStore & ClientAssertionRegistry;
    beforeEach(async () => {
      store = await fresh();
    });

    it('answers an organisation as it was inserted, by id and by registration number', async () => {
      const input = organizationInput(['provider', 'consumer']);
      const inserted = await store.insert(input);
      expect(inserted).toMatchObject(input);
      expect(Number.isNaN(Date.parse(inserted.createdAt))).toBe(false);
      expect(await store.get(input.id)).toEqual(inserted);
      expect(await store.byRegistrationNumber(input.registrationNumber)).toEqual(inserted);
      expect(await store.get(randomUUID())).toBeUndefined();
      expect(await store.byRegistrationNumber('REG-NOBODY')).toBeUndefined();
    });

    it('refuses a second organisation with the same registration number', async () => {
      const first = await addOrganization(store, ['consumer']);
      await expect(store.insert(organizationInput(['consumer'], { registrationNumber: first.registrationNumber }))).rejects.toThrow();
      expect(await store.list()).toHaveLength(1);
    });

    it('lists every organisation oldest first', async () => {
      const a = await addOrganization(store, ['consumer']);
      const b = await addOrganization(store, ['provider']);
      const c = await addOrganization(store, ['auditor']);
      expect((await store.list()).map((o) => o.id)).toEqual([a.id, b.id, c.id]);
    });

    it('finds the oldest operator, and none before one is registered', async () => {
      await addOrganization(store, ['consumer']);
      expect(await store.operator()).toBeUndefined();
      const operator = await addOrganization(store, ['auditor', 'operator']);
      await addOrganization(store, ['operator']);
      expect((await store.operator())?.id).toBe(operator.id);
    });

    it("changes an organisation's status and answers it; an unknown id answers nothing", async () => {
      const org = await addOrganization(store, ['provider']);
      expect((await store.setStatus(org.id, 'SUSPENDED'))?.status).toBe('SUSPENDED');
      expect((await store.get(org.id))?.status).toBe('SUSPENDED');
      expect(await store.setStatus(randomUUID(), 'SUSPENDED')).toBeUndefined();
    });

    it('accepts a client assertion id once per organisation, and forgets it once expired', async () => {
      const a = await addOrganization(store, ['consumer']);
      const b = await addOrganization(store, ['consumer']);
      const later = new Date(Date.now() + 60_000);
      expect(await store.useAssertion(a.id, 'jti-1', later)).toBe(true);
      expect(await store.useAssertion(a.id, 'jti-1', later)).toBe(false);
      expect(await store.useAssertion(b.id, 'jti-1', later)).toBe(true);
      const past = new Date(Date.now() - 60_000);
      expect(await store.useAssertion(a.id, 'jti-old', past)).toBe(true);
      expect(await store.useAssertion(a.id, 'jti-old', later)).toBe(true);
    });
  });
}
