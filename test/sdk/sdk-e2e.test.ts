import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsentNotActiveError, ConsentScopeError, InvalidRequestError, PermissionError } from '@citizen-vault/sdk';
import { seedDemoData } from '@citizen-vault/api';
import { citizenToken, useStack } from '../../api/test/stack.js';
import { sdkOperator, sdkOrganization } from './sdk-stack.js';

describe('the SDK against the real stack', () => {
  const shared = useStack();

  const operator = () => sdkOperator(shared.stack.url);
  const organization = (roles: ('custodian' | 'consumer' | 'provider')[], name: string) => sdkOrganization(shared.stack.url, roles, name);

  it('deposits, asks, waits for the answer, reads exactly the granted fields, and is refused after a revoke', async () => {
    const custodian = await organization(['custodian'], 'Sở Giáo dục (SDK test)');
    const startup = await organization(['consumer'], 'Start-up Tuyển Dụng (SDK test)');
    const record = await custodian.records.deposit({
      nationalId: '001099012345',
      category: 'education',
      fields: { highestLevel: 'university', institution: 'Đại học Bách khoa Hà Nội', graduationYear: 2012 },
    });
    expect(record).toMatchObject({ category: 'education', version: 1 });

    const consent = await startup.consents.request({
      nationalId: '001099012345',
      purpose: 'recruitment',
      fields: ['education.highestLevel', 'education.institution'],
      mode: 'PERIODIC',
      frequency: { limit: 10, per: 'DAY' },
      validUntil: new Date(Date.now() + 86400_000),
      retentionDays: 90,
      justification: 'Tuyển kỹ sư phần mềm',
    });
    expect(consent.status).toBe('REQUESTED');

    const citizen = await citizenToken(shared.stack, '001099012345');
    setTimeout(() => void shared.call(`/v1/consents/${consent.id}/approve`, citizen, { fields: ['education.highestLevel'] }), 300);
    const decided = await startup.consents.waitForDecision(consent.id, { intervalMs: 100, timeoutMs: 10_000 });
    expect(decided).toMatchObject({ status: 'ACTIVE', grantedFields: ['education.highestLevel'] });

    const data = await startup.consents.readData(consent.id); // decrypted with the start-up's key, signature checked
    expect(data.fields).toEqual({ 'education.highestLevel': 'university' });
    expect(data.provenance[0]).toMatchObject({ recordId: record.id, commitment: record.commitment });
    await expect(startup.consents.readData(consent.id, { fields: ['education.institution'] })).rejects.toBeInstanceOf(ConsentScopeError);

    const listed: string[] = [];
    for await (const c of startup.consents.list({ limit: 1 })) listed.push(c.id);
    expect(listed).toEqual([consent.id]);
    expect((await startup.consents.artefact(consent.id)).split('.')).toHaveLength(3);

    await shared.call(`/v1/consents/${consent.id}/revoke`, citizen, {});
    await expect(startup.consents.readData(consent.id)).rejects.toBeInstanceOf(ConsentNotActiveError);

    expect((await operator().organizations.suspend(startup.id)).status).toBe('SUSPENDED');
    await expect(startup.consents.get(consent.id)).rejects.toBeInstanceOf(PermissionError);
  });

  it('names the offending fields when the API refuses a request that does not match its schema', async () => {
    const startup = await organization(['consumer'], 'Start-up Sai Lệnh (SDK test)');
    const err = await startup.consents
      .request({
        nationalId: '12345',
        purpose: 'recruitment',
        fields: ['education.highestLevel'],
        mode: 'ONCE',
        validUntil: new Date(Date.now() + 86400_000),
        retentionDays: -1,
        justification: 'Tuyển kỹ sư phần mềm',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    const { details, message } = err as InvalidRequestError;
    const errors = details.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual(['/retentionDays', '/subject/nationalId']);
    expect(errors.find((e) => e.path === '/subject/nationalId')?.message).toBe('a citizen identity number has 12 digits');
    // The API's own detail stays as it is; the SDK adds the fields after it.
    expect(message).toBe(`the request does not match its schema: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  });

  it('runs the example program against the demo data', async () => {
    const stack = shared.stack;
    const { file } = await seedDemoData(stack.url, stack.url, stack.dataDir);
    const output = await new Promise<string>((ok, fail) =>
      execFile(
        process.execPath,
        [resolve(import.meta.dirname, '../../sdk/examples/startup.mjs'), '--auto-approve'],
        { env: { ...process.env, CV_DEMO_FILE: file, CV_API_URL: stack.url }, cwd: join(import.meta.dirname, '../..') },
        (err, stdout, stderr) => (err ? fail(new Error(`${err.message}\n${stderr}`)) : ok(stdout)),
      ),
    );
    expect(output).toContain('the citizen answered: ACTIVE, granted residence.province, health_insurance.status');
    expect(output).toContain('"residence.province": "Hà Nội"');
    expect(output).not.toContain('dateOfBirth');
  });
});
