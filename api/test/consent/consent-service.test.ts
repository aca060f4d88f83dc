import { compactDecrypt, compactVerify, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors/index.js';
import { consentRequest, grantedConsent, memoryWorld } from '../twins/world.js';

const AN = '001099012345';

describe('ConsentService on its ports (in-memory twins)', () => {
  it('puts a request on the ledger, then into the read model, keeps the justification off the ledger, and tells the consumer', async () => {
    const world = await memoryWorld();
    const bank = await world.party('Ngân hàng A', ['consumer']);
    const consent = await world.consents.request(bank, consentRequest(AN));
    expect(consent).toMatchObject({ status: 'REQUESTED', consumer_name: 'Ngân hàng A', requested_fields: ['residence.province', 'residence.streetAddress'] });
    const onLedger = world.ledger.consents.get(consent.id)!;
    expect(onLedger).toMatchObject({ status: 'REQUESTED', subjectId: consent.subject_id, consumerOrgId: bank.id, artefactHash: consent.artefact_hash });
    expect(JSON.stringify(onLedger)).not.toContain('Thẩm định');
    expect(JSON.stringify(onLedger)).not.toContain(AN);
    expect(world.notified).toEqual([
      { organizationId: bank.id, eventType: 'consent.requested', data: expect.objectContaining({ consentId: consent.id, status: 'REQUESTED' }) },
    ]);
  });

  it('refuses a request from an organisation that is not a consumer, for unknown fields, or ending in the past — before the ledger', async () => {
    const world = await memoryWorld();
    const custodian = await world.party('Công an', ['custodian']);
    const bank = await world.party('Ngân hàng A', ['consumer']);
    await expect(world.consents.request(custodian, consentRequest(AN))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(world.consents.request(bank, consentRequest(AN, { fields: ['residence.shoeSize'] }))).rejects.toMatchObject({
      code: 'invalid_request',
      extra: { errors: [{ path: '/fields', message: 'residence.shoeSize is not in the vocabulary' }] },
    });
    await expect(world.consents.request(bank, consentRequest(AN, { validUntil: '2026-06-01T07:00:00.000Z' }))).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(world.ledger.submitted).toEqual([]);
  });

  it("answers a retried request with the consent its first attempt made, even when that attempt's answer was lost after the commit", async () => {
    const world = await memoryWorld();
    const bank = await world.party('Ngân hàng A', ['consumer']);
    world.ledger.failNextSubmit({ kind: 'lost-answer' });
    await expect(world.consents.request(bank, consentRequest(AN), { ref: 'key-1' })).rejects.toMatchObject({ code: 'ledger_unavailable' });
    const retried = await world.consents.request(bank, consentRequest(AN), { ref: 'key-1', retry: true });
    expect(world.ledger.consents.size).toBe(1);
    expect(world.ledger.consents.has(retried.id)).toBe(true);
    expect(await world.consentStore.get(retried.id)).toMatchObject({ status: 'REQUESTED' });
  });

  it('drops the intent of a request the ledger refused, so a retry starts afresh', async () => {
    const world = await memoryWorld();
    const bank = await world.party('Ngân hàng A', ['consumer']);
    world.ledger.failNextSubmit({ kind: 'refuse', code: 'forbidden' });
    await expect(world.consents.request(bank, consentRequest(AN), { ref: 'key-2' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await world.consentStore.byRequestRef('key-2')).toEqual({});
  });

  it("answers a citizen's decision after the ledger commits it, with its log leaf tied to that transaction", async () => {
    const world = await memoryWorld();
    const bank = await world.party('Ngân hàng A', ['consumer']);
    const { id } = await world.consents.request(bank, consentRequest(AN));
    const approved = await world.consents.decide(AN, id, 'approve', ['residence.province']);
    expect(approved).toMatchObject({ status: 'ACTIVE', granted_fields: ['residence.province'] });
    expect(world.ledger.consents.get(id)).toMatchObject({ status: 'ACTIVE', grantedFields: ['residence.province'] });
    const leaf = world.access.entries.at(-1)!;
    expect(leaf.kind).toBe('consent_decision');
    expect(JSON.parse(leaf.entry)).toMatchObject({ consentId: id, action: 'approve', status: 'ACTIVE', grantedFields: ['residence.province'] });
    expect(world.notified.at(-1)).toMatchObject({ organizationId: bank.id, eventType: 'consent.active' });
  });

  it('blocks reads as soon as the citizen presses revoke, before the ledger is asked; lifts the block only if the ledger refuses', async () => {
    const world = await memoryWorld();
    const { consentId, nationalId } = await grantedConsent(world);
    const seen: (string | null)[] = [];
    world.ledger.onSubmit = async () => void seen.push((await world.consentStore.get(consentId))!.blocked_by);
    world.ledger.failNextSubmit({ kind: 'refuse', code: 'illegal_transition' });
    await expect(world.consents.decide(nationalId, consentId, 'revoke')).rejects.toMatchObject({ code: 'illegal_transition' });
    expect(await world.consentStore.get(consentId)).toMatchObject({ status: 'ACTIVE', blocked_by: null });
    world.ledger.failNextSubmit({ kind: 'unavailable' });
    await expect(world.consents.decide(nationalId, consentId, 'revoke')).rejects.toMatchObject({ code: 'ledger_unavailable' });
    // No answer from the ledger: the outcome is unknown, so the block stays (the repair sweep settles it).
    expect(await world.consentStore.get(consentId)).toMatchObject({ status: 'ACTIVE', blocked_by: 'revoke' });
    expect(seen).toEqual(['revoke', 'revoke']);
  });

  it('treats a retried decision the ledger already committed as done', async () => {
    const world = await memoryWorld();
    const { consentId, nationalId } = await grantedConsent(world);
    world.ledger.failNextSubmit({ kind: 'lost-answer' });
    await expect(world.consents.decide(nationalId, consentId, 'pause')).rejects.toMatchObject({ code: 'ledger_unavailable' });
    await expect(world.consents.decide(nationalId, consentId, 'pause', undefined, { retry: true })).resolves.toMatchObject({
      status: 'PAUSED',
      blocked_by: null,
    });
    // Without `retry`, the same refusal is an error.
    await expect(world.consents.decide(nationalId, consentId, 'pause')).rejects.toMatchObject({ code: 'illegal_transition' });
  });

  it("answers someone else's consent exactly like a missing one, to the citizen and to the consumer", async () => {
    const world = await memoryWorld();
    const { consentId, bank } = await grantedConsent(world, { nationalId: AN });
    const other = await world.party('Công ty Khác', ['consumer']);
    await expect(world.consents.ownedByCitizen('079188004321', consentId)).rejects.toMatchObject({ code: 'not_found' });
    await expect(world.consents.forConsumer(other.id, consentId)).rejects.toMatchObject({ code: 'not_found' });
    await expect(world.consents.forConsumer(bank.id, consentId)).resolves.toMatchObject({ id: consentId });
  });

  it("pages a consumer's consents with an opaque cursor, and refuses a cursor it never gave", async () => {
    const world = await memoryWorld();
    const bank = await world.party('Ngân hàng A', ['consumer']);
    const ids: string[] = [];
    for (const minute of [1, 2, 3]) {
      world.setNow(`2026-06-01T08:0${minute}:00.000Z`);
      ids.push((await world.consents.request(bank, consentRequest(AN))).id);
    }
    const first = await world.consents.listForConsumer(bank.id, { limit: 2 });
    expect(first.items.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const second = await world.consents.listForConsumer(bank.id, { limit: 2, cursor: first.nextCursor });
    expect(second).toMatchObject({ nextCursor: '' });
    expect(second.items.map((c) => c.id)).toEqual([ids[0]]);
    const forged = await world.consents
      .listForConsumer(bank.id, { limit: 2, cursor: Buffer.from('yesterday|me').toString('base64url') })
      .catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(DomainError);
    expect(forged).toMatchObject({ code: 'invalid_request' });
  });

  it('shows a citizen every read of their data, granted or refused, with the exact bytes of its log leaf', async () => {
    const world = await memoryWorld();
    const { bank, consentId, nationalId } = await grantedConsent(world);
    await world.consents.read(bank, consentId, undefined);
    world.setNow('2026-06-01T09:00:00.000Z');
    await world.consents.read(bank, consentId, ['residence.streetAddress']).catch(() => {});
    const page = await world.consents.accessEventsFor(nationalId, { limit: 1 });
    expect(page.items).toMatchObject([{ outcome: 'DENIED', reason: 'field_not_granted', consumer_name: 'Ngân hàng A' }]);
    expect(world.access.entries[Number(page.items[0]!.leaf_index)]!.entry).toBe(page.items[0]!.log_entry);
    const rest = await world.consents.accessEventsFor(nationalId, { limit: 5, cursor: page.nextCursor });
    expect(rest.items.map((e) => e.outcome)).toEqual(['GRANTED']);
    expect(await world.consents.accessEventsFor('079188004321', { limit: 5 })).toEqual({ items: [], nextCursor: '' });
  });

  it("signs the consent artefact and encrypts a read to the consumer's own X25519 key, both verifiable with the API's published key", async () => {
    const world = await memoryWorld();
    const { bank, consentId } = await grantedConsent(world);
    const jwks = createLocalJWKSet(world.keys.jwks);
    const artefact = await compactVerify(await world.consents.artefact((await world.consentStore.get(consentId))!), jwks);
    expect(JSON.parse(new TextDecoder().decode(artefact.payload))).toMatchObject({ id: consentId, status: 'ACTIVE', grantedFields: ['residence.province'] });
    const jwe = await world.consents.encryptFor(bank, { hello: 'Huế' });
    const { plaintext } = await compactDecrypt(jwe, bank.decryptionKey);
    const signed = await compactVerify(new TextDecoder().decode(plaintext), jwks);
    expect(JSON.parse(new TextDecoder().decode(signed.payload))).toEqual({ hello: 'Huế' });
    await expect(world.consents.encryptFor({ ...bank, jwks: { keys: [] } }, {})).rejects.toMatchObject({ code: 'not_acceptable' });
  });

  it('encrypts to the key the organisation has now: an imported key is kept by its own bytes, so a replaced one is never used', async () => {
    const world = await memoryWorld();
    const { bank } = await grantedConsent(world);
    await compactDecrypt(await world.consents.encryptFor(bank, { n: 1 }), bank.decryptionKey);
    const next = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
    const rotated = { ...bank, jwks: { keys: [{ ...(await exportJWK(next.publicKey)), kid: bank.jwks.keys.find((k) => k.use === 'enc')!.kid, use: 'enc' }] } };
    const jwe = await world.consents.encryptFor(rotated, { n: 2 });
    await expect(compactDecrypt(jwe, bank.decryptionKey)).rejects.toThrow();
    const { plaintext } = await compactDecrypt(jwe, next.privateKey);
    expect(
      JSON.parse(new TextDecoder().decode((await compactVerify(new TextDecoder().decode(plaintext), createLocalJWKSet(world.keys.jwks))).payload)),
    ).toEqual({ n: 2 });
  });
});
