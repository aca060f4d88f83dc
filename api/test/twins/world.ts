import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { inMemoryAccessLog, type InMemoryAccessLog } from '../../src/audit/index.js';
import type { SigningKeys } from '../../src/auth/signing-keys.js';
import { createConsentService, inMemoryConsentStore, type ConsentParty, type ConsentService, type InMemoryConsentStore } from '../../src/consent/index.js';
import { createRecordCorrections, createVaultService, inMemoryVaultStore, KekRing, type InMemoryVaultStore, type VaultService } from '../../src/vault/index.js';
import { MemoryLedger } from './memory-ledger.js';

export interface TestParty extends ConsentParty {
  /** The private half of its X25519 key, to open what is encrypted to it. */
  decryptionKey: CryptoKey;
}

/**
 * The consent and vault capabilities wired to their in-memory twins — stores, access log, ledger —
 * with a clock the test moves: what the unit tests run against (no Postgres, no ledger, no HTTP).
 */
export async function memoryWorld() {
  let now = new Date('2026-06-01T08:00:00.000Z');
  const clock = { now: () => new Date(now.getTime()) };
  const names = new Map<string, string>();
  const name = (id: string): string => names.get(id) ?? '';
  const consentStore: InMemoryConsentStore = inMemoryConsentStore(name);
  const access: InMemoryAccessLog = inMemoryAccessLog(consentStore, name);
  const vaultStore: InMemoryVaultStore = inMemoryVaultStore({ organizationName: name, now: clock.now });
  const ledger = new MemoryLedger(clock.now);
  const deposited: { subjectId: string; category: string; fields: Readonly<Record<string, unknown>> }[] = [];
  const notified: { organizationId: string; eventType: string; data: Record<string, unknown> }[] = [];
  const vaultDeps = {
    store: vaultStore,
    ledger,
    keys: { keks: new KekRing(new Map([[1, randomBytes(32)]])), indexKey: randomBytes(32) },
    log: access,
    onDeposit: {
      recordDeposited: async (subjectId: string, category: string, fields: Readonly<Record<string, unknown>>) =>
        void deposited.push({ subjectId, category, fields }),
    },
  };
  const vault: VaultService = createVaultService(vaultDeps);
  const corrections = createRecordCorrections(vaultDeps);
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const keys: SigningKeys = { kid: 'api-test', privateKey, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'api-test', alg: 'ES256', use: 'sig' }] } };
  const consents: ConsentService = createConsentService({
    store: consentStore,
    vault,
    ledger,
    keys,
    recorder: access,
    history: access,
    notify: async (organizationId, eventType, data) => void notified.push({ organizationId, eventType, data }),
    clock,
  });
  const party = async (partyName: string, roles: string[]): Promise<TestParty> => {
    const id = randomUUID();
    names.set(id, partyName);
    const encryption = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
    return {
      id,
      name: partyName,
      roles,
      jwks: { keys: [{ ...(await exportJWK(encryption.publicKey)), kid: 'enc-1', use: 'enc' }] },
      decryptionKey: encryption.privateKey,
    };
  };
  return {
    clock,
    setNow(at: string | Date): void {
      now = new Date(at);
    },
    consentStore,
    access,
    vaultStore,
    ledger,
    vault,
    corrections,
    consents,
    keys,
    deposited,
    notified,
    party,
  };
}

export type MemoryWorld = Awaited<ReturnType<typeof memoryWorld>>;

/** The usual request of a test: PERIODIC, three reads a day, for a month. */
export function consentRequest(nationalId: string, over: Partial<Parameters<ConsentService['request']>[1]> = {}): Parameters<ConsentService['request']>[1] {
  return {
    nationalId,
    purpose: 'credit_scoring',
    fields: ['residence.province', 'residence.streetAddress'],
    accessMode: { mode: 'PERIODIC', limit: 3, per: 'DAY' },
    validUntil: '2026-07-01T00:00:00.000Z',
    retentionDays: 30,
    justification: 'Thẩm định hồ sơ vay',
    onwardTransfer: false,
    crossBorder: false,
    ...over,
  };
}

/** A citizen with a residence record, a consumer whose consent they approved (province only, unless told), and that consent's id. */
export async function grantedConsent(
  world: MemoryWorld,
  options: { nationalId?: string; grant?: string[]; accessMode?: Parameters<ConsentService['request']>[1]['accessMode'] } = {},
) {
  const nationalId = options.nationalId ?? String(100000000000 + Math.floor(Math.random() * 899999999999));
  const custodian = await world.party('Công an tỉnh', ['custodian']);
  const bank = await world.party('Ngân hàng A', ['consumer']);
  await world.vault.deposit(custodian, { nationalId, category: 'residence', fields: { province: 'Huế', streetAddress: '1 Lê Lợi' } });
  const consent = await world.consents.request(bank, consentRequest(nationalId, options.accessMode ? { accessMode: options.accessMode } : {}));
  await world.consents.decide(nationalId, consent.id, 'approve', options.grant ?? ['residence.province']);
  return { nationalId, custodian, bank, consentId: consent.id, subjectId: consent.subject_id };
}
