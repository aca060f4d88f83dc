import type { ExportService } from './export-service.js';
import type { RequestAction, RightsRequest } from './request-lifecycle.js';

/** The steps of the request lifecycle the worker takes, through the rights service (each on the ledger). */
export interface ExportRequests {
  queue(): Promise<{ request: RightsRequest }[]>;
  act(id: string, action: RequestAction): Promise<{ request: RightsRequest }>;
}

/**
 * Carries out EXPORT requests without waiting for the operator: an export needs no judgement, only
 * the citizen's own data. Each round takes every open EXPORT request as far as it can go:
 * acknowledged, started, its snapshot produced, completed; every step is a transition of the
 * request recorded on the ledger like the operator's. A request the operator has already moved is
 * taken from where it stands; one refused meanwhile is left alone (the service refuses the step).
 */
export class ExportFulfilment {
  constructor(
    private readonly requests: ExportRequests,
    private readonly exports: ExportService,
    private readonly log: (message: string, fields: Record<string, unknown>) => void,
  ) {}

  /** One round; answers how many requests it completed. */
  async round(): Promise<number> {
    const open = (await this.requests.queue()).map((r) => r.request).filter((r) => r.kind === 'EXPORT');
    let completed = 0;
    for (const request of open) {
      try {
        if (await this.carryOut(request)) completed++;
      } catch (err) {
        this.log('an export request could not be carried out yet; it is tried again on the next round', {
          requestId: request.id,
          err: err instanceof Error ? err.message : String(err),
        });
      }
    }
    return completed;
  }

  private async carryOut(start: RightsRequest): Promise<boolean> {
    let request = start;
    if (request.state === 'RECEIVED') request = (await this.requests.act(request.id, { type: 'acknowledge' })).request;
    if (request.state === 'ACKNOWLEDGED') request = (await this.requests.act(request.id, { type: 'start' })).request;
    if (request.state !== 'IN_PROGRESS' && request.state !== 'EXTENDED') return false;
    if (!(await this.exports.produce(request))) return false;
    await this.requests.act(request.id, { type: 'complete' });
    return true;
  }
}
