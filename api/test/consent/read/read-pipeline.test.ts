import { describe, expect, it } from 'vitest';
import { readPipeline } from '../../../src/consent/index.js';
import { DomainError } from '../../../src/errors/index.js';
import { grantedConsent, memoryWorld } from '../../twins/world.js';

describe('the consented read, end to end on the twins', () => {
  it('answers only the fields asked for and granted, after their access event is durable and its use counted', async () => {
    const world = await memoryWorld();
    const { bank, consentId, subjectId } = await grantedConsent(world, { grant: ['residence.province', 'residence.streetAddress'] });
    const read = await world.consents.read(bank, consentId, ['residence.province']);
    expect(read.fields).toEqual({ 'residence.province': 'Huế' });
    const [event] = await world.access.accessEventsOf(subjectId, { limit: 1 });
    expect(event).toMatchObject({ consent_id: consentId, outcome: 'GRANTED', fields: ['residence.province'] });
    expect((await world.consentStore.getWithUses(consentId, { day: '2026-06-01', month: '2026-06' }))!.uses).toBe(1);
  });

  it('records a refused read before refusing it, and opens nothing', async () => {
    const world = await memoryWorld();
    const { bank, consentId, subjectId } = await grantedConsent(world);
    let opened = 0;
    const read = readPipeline({
      store: world.consentStore,
      vault: { fieldsOf: async (...args) => (opened++, world.vault.fieldsOf(...args)) },
      recorder: world.access,
      clock: world.clock,
    });
    await expect(read(bank.id, consentId, ['residence.streetAddress'])).rejects.toMatchObject({ code: 'field_not_granted' });
    expect(opened).toBe(0);
    const [event] = await world.access.accessEventsOf(subjectId, { limit: 1 });
    expect(event).toMatchObject({ outcome: 'DENIED', reason: 'field_not_granted', fields: ['residence.streetAddress'] });
  });

  it('sends nothing when the access event cannot be made durable', async () => {
    const world = await memoryWorld();
    const { bank, consentId } = await grantedConsent(world);
    const read = readPipeline({
      store: world.consentStore,
      vault: world.vault,
      recorder: { recordAccess: async () => Promise.reject(new Error('the log is down')) },
      clock: world.clock,
    });
    await expect(read(bank.id, consentId, undefined)).rejects.toThrow('the log is down');
  });

  it('checks the live state: a read after the citizen pressed revoke — committed or not — is refused and recorded', async () => {
    const world = await memoryWorld();
    const { bank, consentId, nationalId, subjectId } = await grantedConsent(world);
    await world.consents.read(bank, consentId, undefined);
    world.setNow('2026-06-01T08:01:00.000Z');
    await world.consentStore.block(consentId, 'revoke'); // pressed; the ledger has not answered yet
    await expect(world.consents.read(bank, consentId, undefined)).rejects.toMatchObject({ code: 'consent_not_active' });
    await world.consentStore.unblock(consentId);
    world.setNow('2026-06-01T08:02:00.000Z');
    await world.consents.decide(nationalId, consentId, 'revoke');
    await expect(world.consents.read(bank, consentId, undefined)).rejects.toMatchObject({ code: 'consent_not_active' });
    expect((await world.access.accessEventsOf(subjectId, { limit: 10 })).map((e) => e.outcome)).toEqual(['DENIED', 'DENIED', 'GRANTED']);
  });

  it('refuses a read when a revoke lands between the check and the record, with nothing sent and the read recorded as denied', async () => {
    const world = await memoryWorld();
    const { bank, consentId, subjectId } = await grantedConsent(world);
    const read = readPipeline({
      store: world.consentStore,
      vault: { fieldsOf: async (...args) => (await world.consentStore.block(consentId, 'revoke'), world.vault.fieldsOf(...args)) },
      recorder: world.access,
      clock: world.clock,
    });
    const err = await read(bank.id, consentId, undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'consent_not_active' });
    const [event] = await world.access.accessEventsOf(subjectId, { limit: 1 });
    expect(event).toMatchObject({ outcome: 'DENIED', reason: 'not_active' });
  });

  it('keeps the use counter exact under parallel reads: exactly the allowance is granted', async () => {
    const world = await memoryWorld();
    const { bank, consentId, subjectId } = await grantedConsent(world, { accessMode: { mode: 'PERIODIC', limit: 3, per: 'DAY' } });
    const results = await Promise.allSettled(Array.from({ length: 7 }, () => world.consents.read(bank, consentId, undefined)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'frequency_exceeded' });
    const events = await world.access.accessEventsOf(subjectId, { limit: 20 });
    expect(events.filter((e) => e.outcome === 'GRANTED')).toHaveLength(3);
    expect(events).toHaveLength(7);
    // A new day in Hà Nội, a new allowance.
    world.setNow('2026-06-01T17:00:00.000Z');
    await expect(world.consents.read(bank, consentId, undefined)).resolves.toMatchObject({ fields: { 'residence.province': 'Huế' } });
  });
});
