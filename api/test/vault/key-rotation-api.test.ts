import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDataKey } from '../../src/infra/aead.js';
import { newId } from '../../src/ids.js';
import { createKekVersionFile, loadKekRing } from '../../src/vault/index.js';
import { citizenToken, registerOrganization, requests, startStack, type TestStack } from '../stack.js';

const AN = '001099012345';
const fields = { province: 'Huế', streetAddress: '1 Lê Lợi' };
const SEEDED = 5_000;

interface Rotation {
  id: string;
  state: 'RUNNING' | 'FINISHED';
  fromVersion: number;
  toVersion: number;
  total: number;
  rewrapped: number;
  percent: number;
  keysPerSecond: number;
}
interface Status {
  currentVersion: number;
  versions: { version: number; keys: number; configured: boolean; current: boolean; retired: boolean }[];
  rotation: Rotation | null;
}

describe('KEK rotation through the API (operator), the API serving reads all along', () => {
  let stack: TestStack;
  const { call, ok } = requests(() => stack.url);
  const devToken = async (role: string): Promise<string> =>
    ((await (await call('/dev/token', undefined, { body: { role } })).json()) as { access_token: string }).access_token;
  const keysDir = (): string => join(stack.dataDir, 'keys');

  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('rotates from the development key to a new version while citizens read, then retires the old one', async () => {
    const custodian = await registerOrganization(stack, ['custodian'], 'Công an tỉnh');
    await ok(await call('/v1/records', await custodian.token(), { body: { subject: { nationalId: AN }, category: 'residence', fields } }), 201);
    // More citizens, their keys wrapped under version 1 (the key generated on first start).
    const v1 = await loadKekRing(keysDir(), { kek: undefined, keks: undefined, kekCurrent: undefined });
    for (let done = 0; done < SEEDED; done += 1_000) {
      const rows = Array.from({ length: 1_000 }, () => {
        const id = newId();
        return { id, national_id_index: randomBytes(32), wrapped_key: v1.wrap(id, newDataKey(), 1).wrapped, kek_version: 1 };
      });
      await stack.api.sql`insert into subjects ${stack.api.sql(rows, 'id', 'national_id_index', 'wrapped_key', 'kek_version')}`;
    }

    let operator = await devToken('operator');
    const citizen = await citizenToken(stack, AN);
    expect((await call('/v1/vault/kek', citizen)).status).toBe(403);
    expect((await call('/v1/vault/kek', undefined)).status).toBe(401);
    const nothingYet = await call('/v1/vault/kek/rotations', operator, { body: {} });
    expect(nothingYet.status).toBe(409); // one version only: nothing to rotate to

    // A new version, as the operator adds one in development, and a restart to load it.
    expect(await createKekVersionFile(keysDir(), v1)).toBe(2);
    await stack.restartApi();
    operator = await devToken('operator');
    const before = await ok<Status>(await call('/v1/vault/kek', operator));
    expect(before).toMatchObject({ currentVersion: 2, rotation: null });
    expect(before.versions).toEqual([
      { version: 1, keys: SEEDED + 1, configured: true, current: false, retired: false },
      { version: 2, keys: 0, configured: true, current: true, retired: false },
    ]);
    expect((await call('/v1/vault/kek/rotations', operator, { body: { fromVersion: 'one' } })).status).toBe(400);

    const started = await call('/v1/vault/kek/rotations', operator, { body: {} });
    const rotation = await ok<Rotation>(started, 202);
    expect(started.headers.get('location')).toBe(`/v1/vault/kek/rotations/${rotation.id}`);
    expect(rotation).toMatchObject({ fromVersion: 1, toVersion: 2, total: SEEDED + 1 });
    let progress = rotation;
    let reads = 0;
    while (progress.state !== 'FINISHED') {
      const [mine] = await ok<{ items: { fields: unknown }[] }>(await call('/v1/me/records', citizen)).then((r) => r.items);
      expect(mine?.fields).toEqual(fields);
      reads++;
      progress = await ok<Rotation>(await call(`/v1/vault/kek/rotations/${rotation.id}`, operator));
    }
    expect(reads).toBeGreaterThan(0);
    expect(progress).toMatchObject({ rewrapped: SEEDED + 1, percent: 100 });
    const after = await ok<Status>(await call('/v1/vault/kek', operator));
    expect(after.versions.map((v) => [v.version, v.keys])).toEqual([
      [1, 0],
      [2, SEEDED + 1],
    ]);
    expect(after.rotation).toMatchObject({ id: rotation.id, state: 'FINISHED' });

    const inUse = await call('/v1/vault/kek/versions/2/retire', operator, { body: {} });
    expect(inUse.status).toBe(409);
    expect(((await inUse.json()) as { code: string }).code).toBe('kek_version_in_use');
    expect((await call('/v1/vault/kek/versions/x/retire', operator, { body: {} })).status).toBe(400);
    await ok(await call('/v1/vault/kek/versions/1/retire', operator, { body: {} }));

    // Restarted with version 1 retired (its key file still there): the citizen still reads.
    await stack.restartApi();
    const [mine] = (await ok<{ items: { fields: unknown }[] }>(await call('/v1/me/records', await citizenToken(stack, AN)))).items;
    expect(mine?.fields).toEqual(fields);
    const retired = await ok<Status>(await call('/v1/vault/kek', await devToken('operator')));
    expect(retired.versions[0]).toEqual({ version: 1, keys: 0, configured: false, current: false, retired: true });
  }, 300_000);
});
