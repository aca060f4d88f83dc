import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig, startApi } from '@citizen-vault/api';
import { freePort, startStackDevnet } from './stack.js';

describe('FABRIC_CONNECTION_FILE with FABRIC_MSP_ID, as the README documents', () => {
  it('is accepted by the configuration and names the organisation in the file', () => {
    const config = loadConfig({ FABRIC_CONNECTION_FILE: 'net/connection.json', FABRIC_MSP_ID: 'AuthorityMSP', CV_DEV_MODE: 'true' });
    expect(config.fabric).toMatchObject({ kind: 'connection-file', mspId: 'AuthorityMSP' });
    expect(() => loadConfig({ FABRIC_CONNECTION_FILE: 'c.json', FABRIC_ENDPOINT: 'peer:7051', CV_DEV_MODE: 'true' })).toThrow(/either FABRIC_CONNECTION_FILE/);
  });

  it('starts the API against a ledger named only by its connection file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cv-connfile-'));
    await chmod(dataDir, 0o755);
    const devnet = await startStackDevnet(dataDir, await freePort());
    try {
      const config = loadConfig({
        FABRIC_CONNECTION_FILE: join(dataDir, 'devnet', 'connection.json'),
        FABRIC_MSP_ID: 'VaultOperatorMSP',
        CV_DEV_MODE: 'true',
        CV_DATA_DIR: join(dataDir, 'api'),
        PORT: '0',
        CV_EMBEDDED_PG_PORT: String(await freePort()),
        LOG_LEVEL: 'silent',
      });
      // No identity handed over by the caller: it comes from the connection file, the Admin too (to open the exchange).
      const api = await startApi(config, { logger: pino({ level: 'silent' }) });
      try {
        const ready = await fetch(api.url + '/ready');
        expect(ready.status).toBe(200);
        expect(((await ready.json()) as { ledgerHeight: number }).ledgerHeight).toBeGreaterThan(1);
      } finally {
        await api.close();
      }
    } finally {
      await devnet.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
