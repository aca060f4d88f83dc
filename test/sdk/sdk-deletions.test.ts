import { describe, expect, it } from 'vitest';
import { NotFoundError, type RetainedRead } from '@citizen-vault/sdk';
import { citizenToken, useStack } from '../../api/test/stack.js';
import { sdkOrganization } from './sdk-stack.js';

const AN = '001099012345';

describe('the SDK confirms deletions against the real stack', () => {
  const shared = useStack();

  it("lists a consumer's reads with their deadlines, confirms one idempotently, and cannot confirm another consumer's", async () => {
    const custodian = await sdkOrganization(shared.stack.url, ['custodian'], 'Công an tỉnh (SDK deletions)');
    const bank = await sdkOrganization(shared.stack.url, ['consumer'], 'Ngân hàng (SDK deletions)');
    const other = await sdkOrganization(shared.stack.url, ['consumer'], 'Công ty khác (SDK deletions)');
    await custodian.records.deposit({ nationalId: AN, category: 'residence', fields: { province: 'Đà Nẵng' } });
    const consent = await bank.consents.request({
      nationalId: AN,
      purpose: 'credit_scoring',
      fields: ['residence.province'],
      mode: 'PERIODIC',
      frequency: { limit: 10, per: 'DAY' },
      validUntil: new Date(Date.now() + 86400_000),
      retentionDays: 0,
      justification: 'Thẩm định hồ sơ vay tiêu dùng',
    });
    const citizen = await citizenToken(shared.stack, AN);
    await shared.call(`/v1/consents/${consent.id}/approve`, citizen, {});
    await bank.consents.readData(consent.id);
    await bank.consents.readData(consent.id);
    await new Promise((r) => setTimeout(r, 20));

    const overdue: RetainedRead[] = [];
    for await (const read of bank.deletions.list({ state: 'OVERDUE', limit: 1 })) overdue.push(read);
    expect(overdue).toHaveLength(2);
    expect(overdue[0]).toMatchObject({ consentId: consent.id, retentionDays: 0, state: 'OVERDUE', consumer: { id: bank.id } });

    const confirmed = await bank.deletions.confirm(overdue[0]!.accessEventId);
    expect(confirmed).toMatchObject({ accessEventId: overdue[0]!.accessEventId, state: 'CONFIRMED', confirmedLate: true });
    expect(await bank.deletions.confirm(overdue[0]!.accessEventId)).toEqual(confirmed);
    expect((await bank.deletions.list({ state: 'CONFIRMED' })).items.map((r) => r.accessEventId)).toEqual([overdue[0]!.accessEventId]);

    await expect(other.deletions.confirm(overdue[1]!.accessEventId)).rejects.toBeInstanceOf(NotFoundError);
    expect((await other.deletions.list()).items).toEqual([]);
  });
});
