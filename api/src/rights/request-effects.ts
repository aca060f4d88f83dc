import { DomainError } from '../errors/index.js';
import { claimMatches, newClaim } from './erasure-certificate.js';
import type { ConsentRevoker, Erasure } from './erasure.js';
import type { PgSubjectControls } from './pg-subject-controls.js';
import type { RightsRequest } from './request-lifecycle.js';
import type { SubjectControls } from './subject-controls.js';

/** A certificate as served to its owner: the signed document, its JWS, its hash and the ledger transaction that anchored it. */
export interface ServedCertificate {
  certificate: Record<string, unknown>;
  jws: string;
  sha256: string;
  ledgerTransactionId: string | null;
}

/**
 * What carrying out a request does, before the operator's `complete` is recorded:
 * ERASE erases (erasure.ts), RESTRICT and OBJECT restrict (subject-controls.ts), WITHDRAW_ALL revokes
 * every active or paused consent on the ledger. EXPORT and RECTIFY are carried out elsewhere.
 * Each effect is idempotent: a `complete` retried after a failure carries on, never doubles.
 */
export class RequestEffects {
  constructor(
    private readonly deps: {
      erasure: Erasure;
      controls: SubjectControls;
      consents: ConsentRevoker;
      store: PgSubjectControls;
      claimKey: Uint8Array;
    },
  ) {}

  async carryOut(request: RightsRequest): Promise<void> {
    switch (request.kind) {
      case 'ERASE':
        return this.deps.erasure.carryOut(request);
      case 'RESTRICT':
      case 'OBJECT':
        return this.deps.controls.restrict(request);
      case 'WITHDRAW_ALL':
        await this.deps.consents.revokeAllOf(request.subjectId);
        return;
      default:
        return;
    }
  }

  async completed(request: RightsRequest): Promise<void> {
    if (request.kind === 'ERASE') await this.deps.erasure.finish(request.id);
  }

  /** At filing of an ERASE request, while the citizen is known: the claim that lets them fetch the certificate later. */
  async filed(request: RightsRequest, nationalId: string, tokenSubject: string | undefined): Promise<void> {
    if (request.kind !== 'ERASE') return;
    const { salt, hash } = newClaim(this.deps.claimKey, nationalId);
    await this.deps.store.insertClaim(request.id, salt, hash, tokenSubject ?? '');
  }

  /** Whether this national id filed this ERASE request (its claim), without any blind index. */
  async claims(requestId: string, nationalId: string): Promise<boolean> {
    const claim = await this.deps.store.claim(requestId);
    return !!claim && claimMatches(this.deps.claimKey, claim, nationalId);
  }

  async certificate(requestId: string, nationalId: string): Promise<ServedCertificate> {
    if (!(await this.claims(requestId, nationalId))) throw new DomainError('not_found', `no erasure request ${requestId} of yours`);
    const erasure = await this.deps.erasure.erasureOf(requestId);
    if (!erasure?.certificate || !erasure.certificateJws || !erasure.certificateHash)
      throw new DomainError('erasure_certificate_not_ready', `request ${requestId} has not been carried out yet`);
    const id = typeof erasure.certificate.certificateId === 'string' ? erasure.certificate.certificateId : '';
    return {
      certificate: erasure.certificate,
      jws: erasure.certificateJws,
      sha256: erasure.certificateHash,
      ledgerTransactionId: await this.deps.controls.controlTx(id),
    };
  }
}
