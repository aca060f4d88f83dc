import type { Context } from 'fabric-contract-api';
import { canonicalJson } from '../rules/canonical-json.js';
import { ChaincodeError } from '../rules/errors.js';
import type { Organization } from '../rules/exchange-policy.js';

/** Index entries carry no data of their own; an empty value would read as a deleted key. */
const INDEX_VALUE = Buffer.from([0]);
const MAX_PAGE = 500;

export interface Page<T> {
  items: T[];
  bookmark: string;
}

/**
 * The chaincode's view of the world state: records as sorted-key JSON under composite keys
 * (`type`, id…), secondary indexes as composite keys, time from the transaction, identity from
 * the transaction's creator.
 */
export class LedgerState {
  constructor(private readonly ctx: Context) {}

  /** The transaction's timestamp (from the client's proposal, the same on every peer). */
  now(): string {
    const ts = this.ctx.stub.getTxTimestamp();
    const seconds = typeof ts.seconds === 'number' ? ts.seconds : Number(ts.seconds.toString());
    return new Date(seconds * 1000 + Math.floor(ts.nanos / 1e6)).toISOString();
  }

  txId(): string {
    return this.ctx.stub.getTxID();
  }

  callerMspId(): string {
    return this.ctx.clientIdentity.getMSPID();
  }

  /** Whether the caller's certificate carries the `admin` NodeOU of its MSP. */
  callerIsAdmin(): boolean {
    // getID() is `x509::<subject DN>::<issuer DN>`, the subject written as /C=…/OU=…/CN=….
    const subject = this.ctx.clientIdentity.getID().split('::')[1] ?? '';
    return subject.split('/').some((part) => part.toLowerCase() === 'ou=admin');
  }

  async get<T>(type: string, ...ids: string[]): Promise<T | undefined> {
    const bytes = await this.ctx.stub.getState(this.key(type, ids));
    return bytes.length === 0 ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as T);
  }

  async require<T>(type: string, ...ids: string[]): Promise<T> {
    const value = await this.get<T>(type, ...ids);
    if (value === undefined) throw new ChaincodeError('not_found', `${type} ${ids.join('/')} does not exist`);
    return value;
  }

  async put(type: string, ids: string[], value: unknown): Promise<void> {
    await this.ctx.stub.putState(this.key(type, ids), Buffer.from(canonicalJson(value), 'utf8'));
  }

  async addIndex(index: string, attributes: string[]): Promise<void> {
    await this.ctx.stub.putState(this.key(index, attributes), INDEX_VALUE);
  }

  async removeIndex(index: string, attributes: string[]): Promise<void> {
    await this.ctx.stub.deleteState(this.key(index, attributes));
  }

  /** The attributes after `prefix` of each index entry under it, a page at a time (read-only transactions only). */
  async listIndex(index: string, prefix: string[], pageSize: number, bookmark: string): Promise<Page<string[]>> {
    const size = Math.min(Math.max(1, Math.floor(pageSize) || 50), MAX_PAGE);
    const { iterator, metadata } = await this.ctx.stub.getStateByPartialCompositeKeyWithPagination(index, prefix, size, bookmark);
    const items: string[][] = [];
    try {
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        items.push(this.ctx.stub.splitCompositeKey(r.value.key).attributes.slice(prefix.length));
      }
    } finally {
      await iterator.close();
    }
    return { items, bookmark: metadata?.bookmark ?? '' };
  }

  /** Every version of a record with the transaction that wrote it, oldest first. */
  /**
   * A page of the records an index points at — the index attributes after `prefix` are the record's
   * ids — answered as `{items, bookmark}` JSON (read-only transactions only).
   */
  async listRecords(index: string, prefix: string[], type: string, pageSize: string, bookmark: string): Promise<string> {
    const page = await this.listIndex(index, prefix, ...pageArgs(pageSize, bookmark));
    const items = await Promise.all(page.items.map((ids) => this.require<unknown>(type, ...ids)));
    return canonicalJson({ items, bookmark: page.bookmark });
  }

  async history(type: string, ids: string[]): Promise<{ txId: string; timestamp: string; isDelete: boolean; value: unknown }[]> {
    const out: { txId: string; timestamp: string; isDelete: boolean; value: unknown }[] = [];
    const iterator = await this.ctx.stub.getHistoryForKey(this.key(type, ids));
    try {
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        const m = r.value;
        const seconds = typeof m.timestamp.seconds === 'number' ? m.timestamp.seconds : Number(m.timestamp.seconds.toString());
        out.push({
          txId: m.txId,
          timestamp: new Date(seconds * 1000 + Math.floor(m.timestamp.nanos / 1e6)).toISOString(),
          isDelete: m.isDelete,
          value: m.isDelete || m.value.length === 0 ? null : JSON.parse(Buffer.from(m.value).toString('utf8')),
        });
      }
    } finally {
      await iterator.close();
    }
    // Fabric 2+ returns history newest first, in commit order (client timestamps need not be monotonic).
    return out.reverse();
  }

  emit(name: string, payload: unknown): void {
    this.ctx.stub.setEvent(name, Buffer.from(canonicalJson(payload), 'utf8'));
  }

  /** The organisation, if the caller transacts for it: verified, holding the role, and submitting through its own MSP. */
  async requireActingFor(orgId: string, role: Organization['roles'][number]): Promise<Organization> {
    const org = await this.get<Organization>('org', orgId);
    if (!org) throw new ChaincodeError('not_found', `organisation ${orgId} does not exist`);
    if (org.status !== 'VERIFIED') throw new ChaincodeError('forbidden', `organisation ${orgId} is ${org.status}`);
    if (!org.roles.includes(role)) throw new ChaincodeError('forbidden', `organisation ${orgId} is not a ${role}`);
    if (org.mspId !== this.callerMspId()) {
      throw new ChaincodeError('forbidden', `organisation ${orgId} transacts through ${org.mspId}, not ${this.callerMspId()}`);
    }
    return org;
  }

  /** Fails unless the caller's MSP is that of a verified operator organisation. */
  async requireOperator(): Promise<void> {
    if (!(await this.callerIsOperator())) throw new ChaincodeError('forbidden', `only the exchange operator may do this, not ${this.callerMspId()}`);
  }

  async callerIsOperator(): Promise<boolean> {
    const msp = this.callerMspId();
    for (const id of await this.listOperatorIds()) {
      const org = await this.get<Organization>('org', id);
      if (org && org.status === 'VERIFIED' && org.mspId === msp) return true;
    }
    return false;
  }

  /** Every organisation ever registered with the operator role (a handful). */
  async listOperatorIds(): Promise<string[]> {
    const ids: string[] = [];
    const iterator = await this.ctx.stub.getStateByPartialCompositeKey('org~role', ['operator']);
    try {
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        ids.push(this.ctx.stub.splitCompositeKey(r.value.key).attributes[1]!);
      }
    } finally {
      await iterator.close();
    }
    return ids;
  }

  private key(type: string, ids: string[]): string {
    return this.ctx.stub.createCompositeKey(type, ids);
  }
}

function pageArgs(pageSize: string, bookmark: string): [number, string] {
  const n = Number(pageSize);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw new ChaincodeError('invalid_argument', `pageSize must be a whole number from 1 to ${MAX_PAGE}`);
  return [n, bookmark];
}
