import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Devnet } from '@citizen-vault/network';
import { gatewayFor, removeDir, testDevnet } from '../../network/test/helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/**
 * The same build as on a real Fabric network: the chaincode package's own `start:server` script
 * (fabric-shim's server mode) listens, and the devnet dials it as a peer's external builder would.
 */
describe('the chaincode as a service (CCAAS)', () => {
  let server: ChildProcess;
  let devnet: Devnet & { dataDir: string };

  beforeAll(async () => {
    const port = await freePort();
    server = spawn('npm', ['run', '--silent', 'start:server', '-w', 'chaincode'], {
      cwd: ROOT,
      env: { ...process.env, CHAINCODE_SERVER_ADDRESS: `127.0.0.1:${port}`, CHAINCODE_ID: 'citizen-vault:1.0', CORE_CHAINCODE_LOGGING_LEVEL: 'warning' },
      stdio: 'ignore',
      detached: true,
    });
    devnet = await testDevnet({ chaincodes: [{ name: 'citizen-vault', address: `127.0.0.1:${port}` }] });
  });

  afterAll(async () => {
    await devnet?.close();
    if (devnet) await removeDir(devnet.dataDir);
    if (server?.pid) process.kill(-server.pid, 'SIGTERM');
  });

  it('runs transactions through the chaincode server with the same results as in-process', async () => {
    const conn = await gatewayFor(devnet, { user: 'Admin' }); // the first operator is registered by an MSP admin
    try {
      const orgs = conn.gateway.getNetwork(devnet.channel).getContract('citizen-vault', 'organizations');
      const registered = JSON.parse(
        Buffer.from(
          await orgs.submitTransaction(
            'RegisterOrganization',
            JSON.stringify({ id: '01935c7e-0001-7000-8000-000000000001', mspId: 'Org1MSP', roles: ['operator'] }),
          ),
        ).toString(),
      );
      expect(registered).toMatchObject({ status: 'VERIFIED', roles: ['operator'] });
      const read = JSON.parse(Buffer.from(await orgs.evaluateTransaction('GetOrganization', registered.id)).toString());
      expect(read).toEqual(registered);
      const metadata = JSON.parse(
        Buffer.from(
          await conn.gateway.getNetwork(devnet.channel).getContract('citizen-vault').evaluateTransaction('org.hyperledger.fabric:GetMetadata'),
        ).toString(),
      );
      expect(Object.keys(metadata.contracts)).toContain('consent');
    } finally {
      conn.close();
    }
  });
});
