import { randomBytes, randomUUID } from 'node:crypto';
import type { AccessHistory, AccessRecorder, LogTree, TreeHeadStore } from '../../src/audit/index.js';
import { inMemoryAccessLog, inMemoryTreeHeads, pgAccessLog, pgLogStores } from '../../src/audit/index.js';
import type { ConsentInsert, ConsentStore } from '../../src/consent/index.js';
import { inMemoryConsentStore, pgConsentStore } from '../../src/consent/index.js';
import type { Sql } from '../../src/infra/database.js';
import type { VaultStore } from '../../src/vault/index.js';
import { inMemoryVaultStore, pgVaultStore } from '../../src/vault/index.js';
import type { AccessModeValue, ConsentStatus } from '@citizen-vault/chaincode/rules';

/** The stores wired together as one database: Postgres, or the in-memory twins sharing their state. */
export interface StoreFixture {
  consents: ConsentStore;
  access: AccessRecorder & AccessHistory;
  vault: VaultStore;
  /** The log's tree as the access log above writes it, and the signed tree heads. */
  tree: LogTree;
  heads: TreeHeadStore;
  /** A verified organisation with this name; its id. */
  organization(name: string): Promise<string>;
  /** A subject with a (dummy) sealed key; its id. */
  subject(): Promise<string>;
}

export type FixtureFactory = () => StoreFixture;

export function pgFixture(sql: () => Sql): FixtureFactory {
  return () => {
    const db = sql();
    const vault = pgVaultStore(db);
    return {
      consents: pgConsentStore(db),
      access: pgAccessLog(db),
      vault,
      ...pgLogStores(db),
      async organization(name) {
        const id = randomUUID();
        await db`insert into organizations (id, name, registration_number, msp_id, roles, jwks, status)
                 values (${id}, ${name}, ${`REG-${id.slice(0, 13)}`}, 'Org1MSP', ${['consumer', 'custodian']}, ${db.json({ keys: [] })}, 'VERIFIED')`;
        return id;
      },
      subject: () => newSubject(vault),
    };
  };
}

export function memoryFixture(): FixtureFactory {
  return () => {
    const names = new Map<string, string>();
    const name = (id: string): string => names.get(id) ?? '';
    const consents = inMemoryConsentStore(name);
    const vault = inMemoryVaultStore({ organizationName: name });
    const access = inMemoryAccessLog(consents, name);
    return {
      consents,
      access,
      vault,
      tree: access,
      heads: inMemoryTreeHeads(),
      async organization(n) {
        const id = randomUUID();
        names.set(id, n);
        return id;
      },
      subject: () => newSubject(vault),
    };
  };
}

async function newSubject(vault: VaultStore): Promise<string> {
  return (await vault.insertSubject(randomUUID(), randomBytes(32), randomBytes(72))).id;
}

/** A consent row as a committed request writes it, with what a test cares about overridden. */
export function consentRow(
  subjectId: string,
  consumerOrgId: string,
  over: Partial<ConsentInsert> & { accessMode?: AccessModeValue; status?: ConsentStatus } = {},
): ConsentInsert {
  const requestedAt = over.requested_at ?? new Date(Date.UTC(2026, 0, 1, 12, 0, 0, Math.floor(Math.random() * 1000)));
  const { accessMode, ...rest } = over;
  return {
    id: randomUUID(),
    subject_id: subjectId,
    consumer_org_id: consumerOrgId,
    purpose: 'CREDIT_SCORING',
    requested_fields: ['identity.fullName', 'residence.province'],
    access_mode: accessMode ?? { mode: 'PERIODIC', limit: 3, per: 'DAY' },
    valid_from: new Date('2026-01-01T00:00:00.000Z'),
    valid_until: new Date('2027-01-01T00:00:00.000Z'),
    retention_days: 30,
    onward_transfer: false,
    cross_border: false,
    justification: 'to score a loan application',
    status: 'REQUESTED',
    artefact: { id: 'artefact' },
    artefact_salt: randomBytes(32),
    artefact_hash: randomBytes(32).toString('hex'),
    requested_at: requestedAt,
    updated_at: requestedAt,
    request_ref: null,
    ...rest,
  };
}
