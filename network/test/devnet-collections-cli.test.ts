import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConnectionInfo } from '@citizen-vault/network';
import { gatewayFor, removeDir, tempDir, text } from './helpers.js';

const CLI = resolve(import.meta.dirname, '../dist/devnet/cli.js');
const PRIVATE_CHAINCODE = resolve(import.meta.dirname, 'fixtures/private-chaincode');

describe('devnet CLI with a collections config', () => {
  it('deploys a chaincode with the collections of a collections_config.json given by --collections', async () => {
    const dataDir = await tempDir();
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--data-dir',
        dataDir,
        '--port',
        '0',
        '--chaincode',
        `secrets=${PRIVATE_CHAINCODE}`,
        '--policy',
        "secrets=OR('Org1MSP.peer','Org2MSP.peer')",
        '--collections',
        `secrets=${join(PRIVATE_CHAINCODE, 'collections_config.json')}`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const exited = new Promise<number | null>((done) => child.on('exit', done));
    try {
      // The CLI prints connection.json's content, over several lines, once it is ready.
      const connection = await new Promise<ConnectionInfo>((ok, fail) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          try {
            ok(JSON.parse(out) as ConnectionInfo);
          } catch {
            // not whole yet
          }
        });
        void exited.then((code) => fail(new Error(`the devnet exited with ${code} before it was ready`)));
      });
      const conn = await gatewayFor({ endpoint: connection.endpoint, connection });
      try {
        const secrets = conn.gateway.getNetwork(connection.channel).getContract('secrets');
        const tx = await secrets.newProposal('PutPrivate', { arguments: ['org1Only', 'cli'], transientData: { value: Buffer.from('secret-cli') } }).endorse();
        expect((await (await tx.submit()).getStatus()).successful).toBe(true);
        expect(text(await secrets.evaluateTransaction('ReadPrivate', 'org1Only', 'cli'))).toBe('secret-cli');
      } finally {
        conn.close();
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
      await removeDir(dataDir);
    }
  });
});
