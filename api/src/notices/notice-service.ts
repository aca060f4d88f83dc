import { isFieldPath, isPurposeCode } from '@citizen-vault/chaincode/rules';
import { DomainError } from '../errors/index.js';
import type { Clock } from '../infra/clock.js';
import type { Notice, NoticeKind, NoticeRule, NoticeText } from './notice.js';
import type { NoticesSweep } from './notices-sweep.js';
import type { PgNotices } from './pg-notices.js';
import type { PgReconsents, Reconsent } from './pg-reconsents.js';

/** Who publishes: the operator (any notice), or an organisation (its own notice only). */
export type Publisher = { role: 'operator'; subject: string } | { role: 'organization'; organizationId: string; subject: string };

export interface PublishRequest {
  text: NoticeText;
  material: boolean;
  rule?: NoticeRule | undefined;
  changeSummary?: NoticeText | undefined;
}

/** An open re-consent as its citizen sees it: which consent, the request that asks again, and what changed. */
export interface ReconsentView extends Reconsent {
  changed: Notice[];
}

/**
 * Versioned notices (issue 17 item 4): the operator publishes purposes' texts and fields'
 * descriptions, each organisation its own consent notice. A version is immutable and logged; a
 * material one asks every consent given under an earlier version again, by its rule.
 */
export class NoticeService {
  constructor(
    private readonly store: PgNotices,
    private readonly reconsents: PgReconsents,
    private readonly sweep: Pick<NoticesSweep, 'kick'>,
    private readonly clock: Clock,
  ) {}

  async publish(by: Publisher, kind: NoticeKind, key: string, body: PublishRequest): Promise<{ notice: Notice; affected: number }> {
    await this.checkKey(kind, key);
    if (kind !== 'organization' && by.role !== 'operator') throw new DomainError('forbidden', 'only the operator publishes purposes and field descriptions');
    if (kind === 'organization' && by.role === 'organization' && by.organizationId !== key)
      throw new DomainError('not_found', `organization ${key} does not exist`);
    if (body.material !== (body.rule !== undefined))
      throw new DomainError('invalid_request', 'a material change declares its rule (continue or pause); a change that is not material has none', {
        errors: [{ path: '/rule', message: body.material ? 'required when material' : 'only for a material change' }],
      });
    const published = await this.store.publish({
      kind,
      key,
      text: body.text,
      material: body.material,
      rule: body.rule ?? null,
      changeSummary: body.changeSummary ?? null,
      publishedBy: by.subject,
      at: this.clock.now(),
    });
    // Its log leaf and the successor requests follow at once; the interval sweep retries whatever fails.
    void this.sweep.kick().catch(() => undefined);
    return published;
  }

  async versions(kind: NoticeKind, key: string): Promise<Notice[]> {
    await this.checkKey(kind, key);
    const versions = await this.store.versions(kind, key);
    if (versions.length === 0) throw new DomainError('not_found', `${kind} ${key} has no notice`);
    return versions;
  }

  async version(kind: NoticeKind, key: string, version: number): Promise<Notice> {
    const notice = await this.store.get(kind, key, version);
    if (!notice) throw new DomainError('not_found', `${kind} ${key} has no version ${version}`);
    return notice;
  }

  async currentOf(kind: NoticeKind): Promise<Notice[]> {
    return this.store.currentOf(kind);
  }

  /** A citizen's open re-consents, each with the material versions that asked for it. */
  async reconsentsOf(subjectId: string): Promise<ReconsentView[]> {
    const open = await this.reconsents.openReconsentsOf(subjectId);
    return Promise.all(
      open.map(async (r) => ({
        ...r,
        changed: (await Promise.all(r.changes.map((c) => this.store.get(c.kind, c.key, c.version)))).filter((n): n is Notice => n !== undefined),
      })),
    );
  }

  private async checkKey(kind: NoticeKind, key: string): Promise<void> {
    const known =
      kind === 'purpose'
        ? isPurposeCode(key)
        : kind === 'field'
          ? isFieldPath(key)
          : /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key) && (await this.store.organizationExists(key));
    if (!known) throw new DomainError('not_found', `${kind} ${key} does not exist`);
  }
}
