import type { HttpClient } from '../http.js';
import { paginate, type ListResult, type Page } from '../list.js';

/** Why a custodian will not correct: the codes the citizen reads in words. */
export type RectificationRejectReason =
  'LEGAL_OBLIGATION' | 'NATIONAL_DEFENCE_OR_SECURITY' | 'RIGHTS_OF_OTHERS' | 'IDENTITY_NOT_VERIFIED' | 'DUPLICATE_REQUEST' | 'MANIFESTLY_UNFOUNDED';

export type RectificationTaskStatus = 'OPEN' | 'ACCEPTED' | 'REJECTED';

/** A citizen's request to correct fields of one of your records. */
export interface RectificationTask {
  id: string;
  /** The citizen's RECTIFY request. */
  requestId: string;
  recordId: string;
  category: string;
  /** Field paths to correct, such as `residence.province`. */
  fields: string[];
  status: RectificationTaskStatus;
  createdAt: string;
  resolvedAt: string | null;
  rejection: { reason: RectificationRejectReason; explanation: { en: string; vi: string } } | null;
  /** The record's version the correction was asked against. */
  baseVersion: number;
  /** The version your acceptance made; the base version is kept, marked superseded. */
  newVersion: number | null;
  /** The corrected values the citizen proposes, by field path. */
  proposed: Record<string, unknown>;
  /** When the request must be completed (Decree 356). */
  dueAt: string;
}

/** One version of a record: superseded versions stay for audit. */
export interface RecordVersion {
  version: number;
  fields: Record<string, unknown>;
  commitment: string;
  createdAt: string;
  current: boolean;
  supersededAt: string | null;
  supersededBy: number | null;
}

/**
 * Rectification tasks, for custodians: citizens' requests to correct what you deposited. You are told
 * of each new task by the `rectification.task_created` webhook event.
 */
export class RectificationTasks {
  constructor(private readonly http: HttpClient) {}

  /**
   * Your tasks, oldest first: await it for one page, or iterate for all of them.
   *
   * @example
   * for await (const task of vault.rectificationTasks.list({ status: 'OPEN' })) console.log(task.fields, task.proposed);
   */
  list(options: { status?: RectificationTaskStatus; limit?: number } = {}): ListResult<RectificationTask> {
    return paginate(
      async (cursor) =>
        (
          await this.http.request<Page<RectificationTask>>('GET', '/v1/rectification-tasks', {
            query: { status: options.status, limit: options.limit, cursor },
          })
        ).body,
    );
  }

  /**
   * One of your tasks.
   *
   * @example
   * const task = await vault.rectificationTasks.get(event.data.taskId);
   */
  async get(id: string): Promise<RectificationTask> {
    return (await this.http.request<RectificationTask>('GET', `/v1/rectification-tasks/${encodeURIComponent(id)}`)).body;
  }

  /**
   * Accepts the correction: your record gets a new version with the proposed values; the old one is kept, superseded.
   *
   * @example
   * const { newVersion } = await vault.rectificationTasks.accept(task.id);
   */
  async accept(id: string): Promise<RectificationTask> {
    return (await this.http.request<RectificationTask>('POST', `/v1/rectification-tasks/${encodeURIComponent(id)}/accept`, { body: {} })).body;
  }

  /**
   * Rejects the correction, with a reason the citizen reads.
   *
   * @example
   * await vault.rectificationTasks.reject(task.id, 'LEGAL_OBLIGATION');
   */
  async reject(id: string, reason: RectificationRejectReason): Promise<RectificationTask> {
    return (await this.http.request<RectificationTask>('POST', `/v1/rectification-tasks/${encodeURIComponent(id)}/reject`, { body: { reason } })).body;
  }

  /**
   * Every version of the task's record, oldest first, superseded ones marked.
   *
   * @example
   * const current = (await vault.rectificationTasks.versions(task.id)).find((v) => v.current);
   */
  async versions(id: string): Promise<RecordVersion[]> {
    return (await this.http.request<{ items: RecordVersion[] }>('GET', `/v1/rectification-tasks/${encodeURIComponent(id)}/versions`)).body.items;
  }
}
