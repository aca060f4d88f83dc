import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contract } from '@hyperledger/fabric-gateway';
import { fabricStartNode, fabricStatus, fabricStopNode, openFabricNetwork, type FabricNetwork } from '@citizen-vault/network';
import { ASSET_CHAINCODE, gatewayFor, text } from '../../network/test/helpers.js';
import { FABRIC_DIR, onFabric, testLedger, type TestLedger } from '../../network/test/ledger.js';
import { startStack, type TestStack } from '../../api/test/stack.js';

/**
 * Faults only a real network has: a Raft orderer and the API's own peer killed with SIGKILL under
 * load, then started again. Runs under `npm run test:fabric` (the nodes are those of its network).
 */

async function metric(port: number, name: string): Promise<number | undefined> {
  const body = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => r.text(),
    () => '',
  );
  const line = body.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : undefined;
}

describe.skipIf(!onFabric)('real Fabric under faults (npm run test:fabric)', () => {
  let network: FabricNetwork;
  beforeAll(async () => {
    network = await openFabricNetwork(FABRIC_DIR);
  });
  afterAll(async () => {
    // Leave every node running for whatever runs next.
    for (const node of (await fabricStatus(FABRIC_DIR)).nodes) {
      if (!node.running && !node.name.startsWith('cc-')) await fabricStartNode(FABRIC_DIR, node.name);
    }
  });

  it('keeps committing when the Raft leader is killed -9 under a 16-client write load, and loses no commit it reported', async () => {
    const ledger: TestLedger = await testLedger([{ name: 'assets', path: ASSET_CHAINCODE }]);
    const conn = await gatewayFor(ledger);
    try {
      const assets: Contract = conn.gateway.getNetwork(ledger.channel).getContract(ledger.cc('assets'), 'assets');
      const leaders = await Promise.all(network.layout.orderers.map((o) => metric(o.operationsPort, 'consensus_etcdraft_is_leader{channel="mychannel"}')));
      const leader = network.layout.orderers[leaders.indexOf(1)];
      expect(leader, `one orderer leads: ${JSON.stringify(leaders)}`).toBeDefined();

      const committed: { key: string; value: string; at: number }[] = [];
      let failures = 0;
      let killedAt = Infinity;
      const until = Date.now() + 14_000;
      const client = async (c: number) => {
        for (let n = 0; Date.now() < until; n++) {
          const key = `fault-${c}-${n}`;
          const value = `v${c}.${n}`;
          try {
            const commit = await assets.submitAsync('PutAsset', { arguments: [key, value] });
            const status = await commit.getStatus();
            if (status.successful) committed.push({ key, value, at: Date.now() });
            else failures++;
          } catch {
            failures++;
            await sleep(100);
          }
        }
      };
      const load = Promise.all(Array.from({ length: 16 }, (_, c) => client(c)));
      await sleep(3_000);
      killedAt = Date.now();
      await fabricStopNode(FABRIC_DIR, leader!.name, 'SIGKILL');
      await load;

      const before = committed.filter((c) => c.at < killedAt).length;
      const after = committed.filter((c) => c.at > killedAt + 2_000).length;
      console.log(`[faults] leader ${leader!.name} killed: ${before} commits before, ${after} more than 2 s after, ${failures} failed submits`);
      expect(before).toBeGreaterThan(0);
      expect(after, 'the two remaining orderers elect a leader and go on').toBeGreaterThan(0);
      // Every commit the client was told of is on the ledger, with its value.
      const lost: string[] = [];
      for (let i = 0; i < committed.length; i += 50) {
        await Promise.all(
          committed.slice(i, i + 50).map(async (c) => {
            const read = await assets.evaluateTransaction('ReadAsset', c.key).then(text, () => undefined);
            if (read !== c.value) lost.push(c.key);
          }),
        );
      }
      expect(lost).toEqual([]);

      // The killed orderer comes back and catches up with the others.
      await fabricStartNode(FABRIC_DIR, leader!.name);
      const heights = async () => Promise.all(network.layout.orderers.map((o) => metric(o.operationsPort, 'ledger_blockchain_height{channel="mychannel"}')));
      const deadline = Date.now() + 90_000; // Raft replicates the missed blocks; slower on a loaded machine
      let h = await heights();
      while (!(h[0] && h.every((x) => x === h[0])) && Date.now() < deadline) {
        await sleep(250);
        h = await heights();
      }
      expect(new Set(h).size, `orderer heights ${JSON.stringify(h)}`).toBe(1);
    } finally {
      conn.close();
      await ledger.close();
    }
  }, 180_000);

  describe('the API when its peer dies', () => {
    let stack: TestStack;
    let operator: string;
    let jwks: unknown;
    beforeAll(async () => {
      const { exportJWK, generateKeyPair } = await import('jose');
      const signing = await generateKeyPair('ES256', { extractable: true });
      const encryption = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
      jwks = {
        keys: [
          { ...(await exportJWK(signing.publicKey)), kid: 'sig-1', use: 'sig' },
          { ...(await exportJWK(encryption.publicKey)), kid: 'enc-1', use: 'enc' },
        ],
      };
      stack = await startStack();
      const res = await fetch(stack.url + '/dev/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'operator' }),
      });
      operator = ((await res.json()) as { access_token: string }).access_token;
    }, 120_000);
    afterAll(async () => {
      await stack?.close();
    });

    const register = () =>
      fetch(stack.url + '/v1/organizations', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${operator}` },
        body: JSON.stringify({ name: 'Fault test bank', registrationNumber: String(Math.floor(1e9 + Math.random() * 9e9)), roles: ['consumer'], jwks }),
        signal: AbortSignal.timeout(60_000),
      });

    it('answers 503 ledger_unavailable, not a hang, while the peer is down, and recovers by itself when it is back', async () => {
      expect((await register()).status).toBe(201);
      const peer = network.layout.peers[0]!; // the operator's peer: the API's gateway
      await fabricStopNode(FABRIC_DIR, peer.name, 'SIGKILL');
      try {
        const started = Date.now();
        const down = await register();
        const waited = Date.now() - started;
        const problem = (await down.json()) as { code?: string };
        console.log(`[faults] peer killed: ${down.status} ${problem.code} after ${waited} ms`);
        expect(down.status).toBe(503);
        expect(down.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(problem.code).toBe('ledger_unavailable');
        expect(waited).toBeLessThan(20_000);
        expect((await fetch(stack.url + '/ready')).status).toBe(503);
      } finally {
        await fabricStartNode(FABRIC_DIR, peer.name);
      }
      const back = Date.now();
      let status = 0;
      while (status !== 201 && Date.now() - back < 60_000) {
        status = (await register()).status;
        if (status !== 201) await sleep(500);
      }
      console.log(`[faults] peer restarted: the API registered again after ${Date.now() - back} ms`);
      expect(status).toBe(201);
      expect((await fetch(stack.url + '/ready')).status).toBe(200);
    }, 150_000);
  });
});
