import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../rules/canonical-json.js';
import { ChaincodeError } from '../rules/errors.js';
import type { Organization } from '../rules/exchange-policy.js';
import { Id, OrganizationInput, Role, parseInput, parseValue } from '../rules/schemas.js';
import { LedgerState } from './ledger-state.js';

@Info({ title: 'Organisations', description: "The exchange's organisations: MSP, roles, and whether they are verified" })
export class OrganizationContract extends Contract {
  constructor() {
    super('organizations');
  }

  /**
   * Registers a verified organisation. Only the operator may, except for the very first operator,
   * which an administrator (NodeOU `admin`) of its own MSP registers to open the exchange.
   */
  @Transaction()
  @Returns('string')
  async RegisterOrganization(ctx: Context, organizationJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    const input = parseInput(OrganizationInput, organizationJson, 'organization');
    if (await state.get('org', input.id)) throw new ChaincodeError('already_exists', `organisation ${input.id} already exists`);
    if (!(await state.callerIsOperator())) {
      const opening = input.roles.includes('operator') && input.mspId === state.callerMspId() && !(await hasAnyOperator(state));
      if (!opening) throw new ChaincodeError('forbidden', `only the exchange operator may register organisations, not ${state.callerMspId()}`);
      if (!state.callerIsAdmin()) throw new ChaincodeError('forbidden', 'only an administrator of its MSP may open the exchange as its first operator');
    }
    const now = state.now();
    const org: Organization = { ...input, roles: [...input.roles].sort(), status: 'VERIFIED', registeredAt: now, updatedAt: now };
    await state.put('org', [org.id], org);
    for (const role of org.roles) await state.addIndex('org~role', [role, org.id]);
    state.emit('OrganizationRegistered', { orgId: org.id, mspId: org.mspId, roles: org.roles, status: org.status, at: now });
    return canonicalJson(org);
  }

  @Transaction()
  @Returns('string')
  async SuspendOrganization(ctx: Context, orgId: string): Promise<string> {
    return this.setStatus(ctx, orgId, 'SUSPENDED');
  }

  @Transaction()
  @Returns('string')
  async ReinstateOrganization(ctx: Context, orgId: string): Promise<string> {
    return this.setStatus(ctx, orgId, 'VERIFIED');
  }

  @Transaction(false)
  @Returns('string')
  async GetOrganization(ctx: Context, orgId: string): Promise<string> {
    return canonicalJson(await new LedgerState(ctx).require<Organization>('org', parseValue(Id, orgId, 'orgId')));
  }

  @Transaction(false)
  @Returns('string')
  async ListOrganizationsByRole(ctx: Context, role: string, pageSize: string, bookmark: string): Promise<string> {
    return new LedgerState(ctx).listRecords('org~role', [parseValue(Role, role, 'role')], 'org', pageSize, bookmark);
  }

  private async setStatus(ctx: Context, orgId: string, status: Organization['status']): Promise<string> {
    const state = new LedgerState(ctx);
    await state.requireOperator();
    const org = await state.require<Organization>('org', parseValue(Id, orgId, 'orgId'));
    if (org.status === status) throw new ChaincodeError('illegal_transition', `organisation ${orgId} is already ${status}`);
    if (status === 'SUSPENDED' && org.roles.includes('operator')) {
      const others = await Promise.all((await state.listOperatorIds()).filter((id) => id !== org.id).map((id) => state.get<Organization>('org', id)));
      if (!others.some((o) => o?.status === 'VERIFIED')) {
        throw new ChaincodeError('illegal_transition', 'the last verified operator cannot be suspended: nobody could reinstate it');
      }
    }
    const next: Organization = { ...org, status, updatedAt: state.now() };
    await state.put('org', [org.id], next);
    state.emit(status === 'SUSPENDED' ? 'OrganizationSuspended' : 'OrganizationReinstated', { orgId, status, at: next.updatedAt });
    return canonicalJson(next);
  }
}

async function hasAnyOperator(state: LedgerState): Promise<boolean> {
  return (await state.listOperatorIds()).length > 0;
}
