import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidRequestError, NotFoundError, type RectificationTask } from '@citizen-vault/sdk';
import { citizenToken, useStack } from '../../api/test/stack.js';
import { sdkOrganization } from './sdk-stack.js';

const CHI = '001199003333';

describe('the SDK for custodians: rectification tasks', () => {
  const shared = useStack();

  it('lists its tasks page by page, accepts one (a new version, the old one superseded), rejects another; another custodian sees none of them', async () => {
    const url = shared.stack.url;
    const custodian = await sdkOrganization(url, ['custodian'], 'Sở Tư pháp (SDK)');
    const other = await sdkOrganization(url, ['custodian'], 'Sở khác (SDK)');
    const first = await custodian.records.deposit({ nationalId: CHI, category: 'residence', fields: { province: 'Bắc Ninh', ward: 'Phường 1' } });
    const second = await custodian.records.deposit({ nationalId: CHI, category: 'residence', fields: { province: 'Bắc Ninh' } });

    const citizen = await citizenToken(shared.stack, CHI);
    const filed = await shared.call('/v1/me/rectifications', citizen, { corrections: { 'residence.province': 'Bắc Giang' } });
    expect(filed.status).toBe(201);
    const { request } = (await filed.json()) as { request: { id: string } };

    const firstPage = await custodian.rectificationTasks.list({ status: 'OPEN', limit: 1 });
    expect(firstPage.items).toHaveLength(1);
    expect(firstPage.nextCursor).not.toBe('');
    const all: RectificationTask[] = [];
    for await (const task of custodian.rectificationTasks.list({ status: 'OPEN', limit: 1 })) all.push(task);
    expect(all.map((t) => t.recordId).sort()).toEqual([first.id, second.id].sort());
    expect(all.every((t) => t.requestId === request.id && t.proposed['residence.province'] === 'Bắc Giang')).toBe(true);

    const forFirst = all.find((t) => t.recordId === first.id)!;
    const forSecond = all.find((t) => t.recordId === second.id)!;
    expect((await other.rectificationTasks.list()).items).toEqual([]);
    await expect(other.rectificationTasks.get(forFirst.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(other.rectificationTasks.accept(forFirst.id)).rejects.toBeInstanceOf(NotFoundError);

    const accepted = await custodian.rectificationTasks.accept(forFirst.id);
    expect(accepted).toMatchObject({ status: 'ACCEPTED', baseVersion: 1, newVersion: 2 });
    const versions = await custodian.rectificationTasks.versions(forFirst.id);
    expect(versions.map((v) => [v.version, v.fields.province, v.current, v.supersededBy])).toEqual([
      [1, 'Bắc Ninh', false, 2],
      [2, 'Bắc Giang', true, null],
    ]);
    expect(versions[1]!.fields.ward).toBe('Phường 1'); // fields not asked about are carried over

    // 'BECAUSE' is not a reason: the API refuses it (a cast stands in for a caller without types).
    await expect(custodian.rectificationTasks.reject(forSecond.id, 'BECAUSE' as never)).rejects.toBeInstanceOf(InvalidRequestError);
    const rejected = await custodian.rectificationTasks.reject(forSecond.id, 'RIGHTS_OF_OTHERS');
    expect(rejected.rejection?.reason).toBe('RIGHTS_OF_OTHERS');
    await expect(custodian.rectificationTasks.accept(forSecond.id)).rejects.toBeInstanceOf(ConflictError);
    expect((await custodian.rectificationTasks.get(forSecond.id)).status).toBe('REJECTED');

    // The province was corrected by one of the records holding it: the request is complete.
    const state = ((await (await shared.call(`/v1/me/rights-requests/${request.id}`, citizen)).json()) as { state: string }).state;
    expect(state).toBe('COMPLETED');
  });
});
