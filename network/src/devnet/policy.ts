import { DevnetError } from './errors.js';
import type { MspRole } from './msp.js';

/**
 * Endorsement policies in Fabric's own notation:
 * - signature policies: `AND('Org1MSP.peer','Org2MSP.peer')`, `OR(...)`, `OutOf(2, 'A.member', ...)`;
 * - implicit meta policies over the channel's organisations: `ANY Endorsement`, `MAJORITY Endorsement`,
 *   `ALL Endorsement` (the sub-policy name is accepted and ignored: every organisation's endorsement
 *   policy is "one of its peers").
 */
export type Policy = { kind: 'principal'; mspId: string; role: MspRole | 'member' } | { kind: 'outOf'; n: number; rules: Policy[] };

export interface Signer {
  mspId: string;
  role: MspRole;
}

export function parsePolicy(text: string, channelMspIds: string[]): Policy {
  const implicit = /^\s*(ANY|MAJORITY|ALL)(\s+\w+)?\s*$/i.exec(text);
  if (implicit) {
    const rule = implicit[1]!.toUpperCase();
    const rules: Policy[] = channelMspIds.map((mspId) => ({ kind: 'principal', mspId, role: 'peer' }));
    const n = rule === 'ANY' ? 1 : rule === 'ALL' ? rules.length : Math.floor(rules.length / 2) + 1;
    return { kind: 'outOf', n, rules };
  }
  const parser = new PolicyParser(text);
  const policy = parser.parseExpression();
  parser.expectEnd();
  return policy;
}

/** Whether the signers satisfy the policy; each signer counts towards one principal at most, as in Fabric. */
export function satisfies(policy: Policy, signers: Signer[]): boolean {
  return evaluate(policy, signers, new Array<boolean>(signers.length).fill(false));
}

function evaluate(policy: Policy, signers: Signer[], used: boolean[]): boolean {
  if (policy.kind === 'principal') {
    const i = signers.findIndex((s, idx) => !used[idx] && s.mspId === policy.mspId && (policy.role === 'member' || s.role === policy.role));
    if (i < 0) return false;
    used[i] = true;
    return true;
  }
  let satisfied = 0;
  for (const rule of policy.rules) {
    const attempt = [...used];
    if (evaluate(rule, signers, attempt)) {
      satisfied++;
      attempt.forEach((u, idx) => (used[idx] = u));
      if (satisfied >= policy.n) return true;
    }
  }
  return satisfied >= policy.n;
}

/**
 * The smallest set of organisations whose peers' endorsements satisfy the policy, preferring sets
 * that include the client's own organisation (as Fabric's gateway prefers its local peer).
 */
export function planEndorsers(policy: Policy, mspIds: string[], preferred: string): string[] {
  const subsets: string[][] = [];
  for (let mask = 1; mask < 1 << mspIds.length; mask++) subsets.push(mspIds.filter((_, i) => mask & (1 << i)));
  subsets.sort((a, b) => a.length - b.length || Number(b.includes(preferred)) - Number(a.includes(preferred)));
  const plan = subsets.find((orgs) =>
    satisfies(
      policy,
      orgs.map((mspId) => ({ mspId, role: 'peer' })),
    ),
  );
  if (!plan) throw new DevnetError('endorsement_unsatisfiable', "no set of the channel's peers can satisfy the endorsement policy");
  return plan;
}

class PolicyParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseExpression(): Policy {
    this.skipSpace();
    if (this.text[this.pos] === "'" || this.text[this.pos] === '"') return this.parsePrincipal();
    const name = this.readWord();
    this.expect('(');
    if (/^outof$/i.test(name)) {
      const n = Number(this.readWord());
      if (!Number.isInteger(n) || n < 0) this.fail('OutOf needs a whole number first');
      const rules = this.parseArgs(true);
      return { kind: 'outOf', n, rules };
    }
    const rules = this.parseArgs(false);
    if (/^and$/i.test(name)) return { kind: 'outOf', n: rules.length, rules };
    if (/^or$/i.test(name)) return { kind: 'outOf', n: 1, rules };
    return this.fail(`unknown operator ${name}`);
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('unexpected text after the policy');
  }

  private parseArgs(afterCount: boolean): Policy[] {
    const rules: Policy[] = [];
    this.skipSpace();
    if (afterCount) this.expect(',');
    for (;;) {
      rules.push(this.parseExpression());
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(')');
      return rules;
    }
  }

  private parsePrincipal(): Policy {
    const quote = this.text[this.pos++];
    const end = this.text.indexOf(quote!, this.pos);
    if (end < 0) this.fail('unterminated principal');
    const principal = this.text.slice(this.pos, end);
    this.pos = end + 1;
    const dot = principal.lastIndexOf('.');
    const role = principal.slice(dot + 1).toLowerCase();
    if (dot <= 0 || !['member', 'admin', 'client', 'peer', 'orderer'].includes(role)) {
      this.fail(`principal ${principal} must be 'MSPID.role' with role member, admin, client, peer or orderer`);
    }
    return { kind: 'principal', mspId: principal.slice(0, dot), role: role as MspRole | 'member' };
  }

  private readWord(): string {
    this.skipSpace();
    const m = /^[A-Za-z0-9_]+/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a name or a number');
    this.pos += m![0].length;
    return m![0];
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private fail(message: string): never {
    throw new DevnetError('config', `endorsement policy ${JSON.stringify(this.text)}: ${message} (at ${this.pos})`);
  }
}
