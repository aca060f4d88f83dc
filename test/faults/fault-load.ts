import { randomUUID } from 'node:crypto';
import type { TestStack } from '../../api/test/stack.js';
import { citizenToken, registerOrganization, type TestOrganization } from '../../api/test/stack.js';

/** What the clients saw: every 200 read per consent, and every keyed request with how it ended. */
export interface Observed {
  reads200: Map<string, number>;
  keyed: { path: string; token: () => Promise<string>; body: unknown; key: string; final: number | 'network'; code?: string }[];
}

interface Citizen {
  nationalId: string;
  token: string;
}

/**
 * A consumer asks citizens for consent, the citizens approve and sometimes revoke, the consumer
 * reads: every POST with an Idempotency-Key, retried with the same key like the SDK does (network
 * errors, 5xx, 409 key in use), and every 200 read remembered.
 */
export class FaultLoad {
  readonly observed: Observed = { reads200: new Map(), keyed: [] };
  private readonly consents: { id: string; citizen: Citizen; state: 'REQUESTED' | 'APPROVING' | 'ACTIVE' | 'REVOKED' }[] = [];
  private stopped = false;
  private bank!: TestOrganization;
  private bankToken = '';
  private citizens: Citizen[] = [];

  constructor(private readonly url: string) {}

  async setup(citizens = 12): Promise<void> {
    const stack = { url: this.url } as unknown as TestStack; // registerOrganization and citizenToken use only the URL
    const custodian = await registerOrganization(stack, ['custodian']);
    this.bank = await registerOrganization(stack, ['consumer']);
    this.bankToken = await this.bank.token();
    const custodianToken = await custodian.token();
    for (let i = 0; i < citizens; i++) {
      const nationalId = `0790${String(1_000_000 + i).padStart(8, '0')}`;
      await this.keyed('/v1/records', async () => custodianToken, { subject: { nationalId }, category: 'residence', fields: { province: 'Huế' } });
      this.citizens.push({ nationalId, token: await citizenToken(stack, nationalId) });
    }
  }

  /** Runs `workers` loops until `stop()`. */
  run(workers = 4): Promise<void> {
    this.stopped = false;
    return Promise.all(Array.from({ length: workers }, (_, w) => this.worker(w))).then(() => {});
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * Retries every keyed request that never got a definite answer, with its own key, as a client
   * would; answers the ones still refused with 409 (stuck, or a success turned into a conflict).
   */
  async settle(deadlineMs: number): Promise<Observed['keyed']> {
    const open = this.observed.keyed.filter((k) => k.final === 'network' || k.final === 409 || (typeof k.final === 'number' && k.final >= 500));
    const until = Date.now() + deadlineMs;
    for (const k of open) {
      for (;;) {
        const { status, code } = await this.send(k.path, await k.token(), k.body, k.key);
        k.final = status;
        k.code = code;
        if ((status !== 409 && status !== 'network' && status < 500) || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return this.observed.keyed.filter((k) => k.final === 409);
  }

  private async worker(w: number): Promise<void> {
    let i = 0;
    while (!this.stopped) {
      i++;
      const active = this.consents.filter((c) => c.state === 'ACTIVE');
      const requested = this.consents.filter((c) => c.state === 'REQUESTED');
      const pick = <T>(xs: T[]): T | undefined => xs[(i * 7 + w) % Math.max(1, xs.length)];
      try {
        if (requested.length > 0 && i % 3 === 0) {
          const c = pick(requested)!;
          c.state = 'APPROVING'; // one approval per consent: two citizens' clicks would conflict for real
          // Unanswered, it stays APPROVING: the citizen's own retry (same key, in settle) finishes it.
          if ((await this.keyed(`/v1/consents/${c.id}/approve`, async () => c.citizen.token, {})) === 200) c.state = 'ACTIVE';
        } else if (active.length > 2 && i % 17 === 0) {
          const c = pick(active)!;
          c.state = 'REVOKED'; // no more reads from now on, whatever the answer
          await this.keyed(`/v1/consents/${c.id}/revoke`, async () => c.citizen.token, {});
        } else if (active.length > 0 && i % 3 !== 1) {
          await this.read(pick(active)!.id);
        } else {
          const citizen = this.citizens[(i + w) % this.citizens.length]!;
          const res = await this.keyedResponse('/v1/consents', async () => this.bankToken, {
            subject: { nationalId: citizen.nationalId },
            purpose: 'public_service_delivery',
            fields: ['residence.province'],
            mode: 'PERIODIC',
            frequency: { limit: 10_000, per: 'DAY' },
            validUntil: new Date(Date.now() + 86400_000).toISOString(),
            retentionDays: 1,
            justification: `Thủ tục ${w}-${i}`,
          });
          if (res?.status === 201) this.consents.push({ id: ((await res.json()) as { id: string }).id, citizen, state: 'REQUESTED' });
        }
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async read(consentId: string): Promise<void> {
    const res = await fetch(`${this.url}/v1/consents/${consentId}/data`, {
      headers: { authorization: `Bearer ${this.bankToken}` },
      signal: AbortSignal.timeout(5_000),
    }).catch(() => undefined);
    if (!res) return void (await new Promise((r) => setTimeout(r, 100)));
    await res.arrayBuffer();
    if (res.status === 200) this.observed.reads200.set(consentId, (this.observed.reads200.get(consentId) ?? 0) + 1);
    if (res.status === 401) this.bankToken = await this.bank.token().catch(() => this.bankToken);
  }

  private async keyed(path: string, token: () => Promise<string>, body: unknown): Promise<number | 'network'> {
    const res = await this.keyedResponse(path, token, body);
    return res?.status ?? 'network';
  }

  /** One keyed POST, retried a few times with the same key; remembered with how it ended. */
  private async keyedResponse(path: string, token: () => Promise<string>, body: unknown): Promise<Response | undefined> {
    const entry: Observed['keyed'][number] = { path, token, body, key: randomUUID(), final: 'network' };
    this.observed.keyed.push(entry);
    for (let attempt = 0; attempt < 4 && !this.stopped; attempt++) {
      const res = await fetch(this.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json', 'idempotency-key': entry.key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      }).catch(() => undefined);
      entry.final = res?.status ?? 'network';
      if (res && res.status < 500 && res.status !== 409) return res;
      await new Promise((r) => setTimeout(r, 150 * (attempt + 1)));
    }
    return undefined;
  }

  private async send(path: string, token: string, body: unknown, key: string): Promise<{ status: number | 'network'; code?: string }> {
    const res = await fetch(this.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    }).catch(() => undefined);
    if (!res) return { status: 'network' };
    const text = await res.text();
    let code: string | undefined;
    try {
      code = res.status >= 400 ? (JSON.parse(text) as { code?: string }).code : undefined;
    } catch {
      code = undefined;
    }
    return { status: res.status, ...(code ? { code } : {}) };
  }
}
