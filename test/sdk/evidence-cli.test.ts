import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPasskey, type Statement } from '../chaincode/passkey-device.js';

/**
 * The auditor CLI's `evidence FILE --trusted-key …` (offline key pinning), spawned as an auditor
 * runs it, on evidence packages built here independently of the API: one signed by the vault's
 * keys, one a forger re-signed end to end with keys of their own, which verifies against the keys
 * it carries and must fail once the vault's keys are pinned.
 */
const CLI = resolve(import.meta.dirname, '../../sdk/bin/citizen-vault-audit.mjs');

const canonical = (value: unknown): string => {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(value));
};
const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

/** The keys a vault signs with: artefacts (ES256) and tree heads (Ed25519). */
function vaultKeys(kid: string) {
  const artefact = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const log = generateKeyPairSync('ed25519');
  const artefactJwk = artefact.publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string };
  const logJwk = log.publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  const logKeyId = `log-${sha256(Buffer.from(logJwk.x, 'base64url')).toString('hex').slice(0, 16)}`;
  return {
    artefact: { privateKey: artefact.privateKey, jwk: { ...artefactJwk, kid } },
    log: { privateKey: log.privateKey, keyId: logKeyId, jwk: logJwk },
  };
}
type VaultKeys = ReturnType<typeof vaultKeys>;

/** An evidence package as GET /v1/me/consents/{id}/evidence answers it, signed with `keys`. */
async function evidencePackage(keys: VaultKeys, device: TestPasskey): Promise<string> {
  const consentId = '01935c7e-0001-7000-8000-000000000001';
  const artefactHash = sha256('the artefact').toString('hex');
  const statement: Statement = {
    consentId,
    artefactHash,
    action: 'approve',
    grantedFields: ['residence.province'],
    at: '2026-12-01T09:00:00.000Z',
  };
  const challenge = TestPasskey.challenge(statement);
  const assertion = device.assert(challenge);
  const artefact = await new CompactSign(new TextEncoder().encode(JSON.stringify({ id: consentId, ledger: { artefactHash } })))
    .setProtectedHeader({ alg: 'ES256', kid: keys.artefact.jwk.kid })
    .sign(keys.artefact.privateKey as KeyObject);
  const transactionId = sha256('tx').toString('hex');
  const entry = canonical({
    kind: 'consent_decision',
    consentId,
    action: 'approve',
    status: 'ACTIVE',
    grantedFields: statement.grantedFields,
    transactionId,
    evidence: {
      method: 'passkey',
      publicKeyHash: sha256(Buffer.from(assertion.publicKey, 'base64url')).toString('hex'),
      assertionHash: sha256(canonical(assertion)).toString('hex'),
      challenge,
    },
  });
  const rootHash = sha256(Buffer.concat([Buffer.of(0), Buffer.from(entry)])).toString('hex'); // a tree of one leaf
  const timestamp = '2026-12-01T09:00:02.000Z';
  const signature = sign(null, Buffer.from(`citizen-vault-sth/v1\n1\n${rootHash}\n${timestamp}`), keys.log.privateKey).toString('base64url');
  return canonical({
    format: 'citizen-vault/consent-evidence/v1',
    artefact,
    decision: statement,
    assertion,
    ledger: { transactionId },
    log: { leafIndex: 0, entry, treeHead: { treeSize: 1, rootHash, timestamp, keyId: keys.log.keyId, signature }, auditPath: [] },
    keys: {
      artefact: keys.artefact.jwk,
      log: { keyId: keys.log.keyId, jwk: keys.log.jwk },
    },
  });
}

const cli = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

describe('citizen-vault-audit evidence --trusted-key: offline verification against pinned keys', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const vault = vaultKeys('vault-2026');
  const forger = vaultKeys('vault-2026'); // same key id, other keys
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cv-evidence-cli-'));
    const device = new TestPasskey();
    await writeFile(file('genuine.json'), await evidencePackage(vault, device));
    await writeFile(file('forged.json'), await evidencePackage(forger, device));
    // As the vault publishes them: the JWKS (artefact key) and the log's public key, in files and over HTTP.
    await writeFile(file('jwks.json'), JSON.stringify({ keys: [vault.artefact.jwk] }));
    await writeFile(file('log-key.json'), JSON.stringify({ keyId: vault.log.keyId, jwk: vault.log.jwk }));
    await writeFile(file('log-jwk.json'), JSON.stringify(vault.log.jwk));
    await writeFile(file('other.json'), JSON.stringify({ keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] }));
    server = createServer((req, res) => {
      const body =
        req.url === '/.well-known/jwks.json'
          ? { keys: [vault.artefact.jwk] }
          : req.url === '/v1/log/public-key'
            ? { keyId: vault.log.keyId, jwk: vault.log.jwk }
            : undefined;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((closed) => server?.close(closed));
    await rm(dir, { recursive: true, force: true });
  });

  it('without pins, both packages verify with the keys they carry: that is why pinning is needed', async () => {
    for (const name of ['genuine.json', 'forged.json']) {
      const run = await cli('evidence', file(name));
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^note the keys came with the package/m);
    }
  });

  it('verifies the genuine package against the pinned JWKS and log key, from files or URLs', async () => {
    for (const pins of [
      ['--trusted-key', file('jwks.json'), '--trusted-key', file('log-key.json')],
      ['--trusted-key', file('jwks.json'), '--trusted-key', file('log-jwk.json')],
      ['--trusted-key', `${base}/.well-known/jwks.json`, '--trusted-key', `${base}/v1/log/public-key`],
    ]) {
      const run = await cli('evidence', file('genuine.json'), ...pins);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^ok {3}the artefact and the tree head are signed by pinned keys \(1 artefact, 1 log key\(s\) pinned\)$/m);
    }
  });

  it('fails (exit 1) a package re-signed with other keys, naming the signer that is not pinned', async () => {
    const run = await cli('evidence', file('forged.json'), '--trusted-key', file('jwks.json'), '--trusted-key', file('log-key.json'));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^FAIL evidence package: the artefact was signed with key vault-2026, which is not among the keys you trust \(pinned with --trusted-key\)$/m,
    );
    // Only the log key forged: the artefact passes, the tree head does not.
    const forgedLog = join(dir, 'forged-log.json');
    await writeFile(forgedLog, JSON.stringify({ keyId: forger.log.keyId, jwk: forger.log.jwk }));
    const genuineWithOtherLog = await cli('evidence', file('genuine.json'), '--trusted-key', file('jwks.json'), '--trusted-key', forgedLog);
    expect(genuineWithOtherLog.code).toBe(1);
    expect(genuineWithOtherLog.stdout).toContain(`the tree head was signed with log key ${vault.log.keyId}, which is not among the keys you trust`);
    // Pinning the artefact key alone trusts no log key: the package's own is not taken.
    const artefactOnly = await cli('evidence', file('genuine.json'), '--trusted-key', file('jwks.json'));
    expect(artefactOnly.code).toBe(1);
    expect(artefactOnly.stdout).toMatch(/^FAIL evidence package: the tree head was signed with log key log-[0-9a-f]{16}, which is not among/m);
  });

  it('cannot run (exit 2) when a pinned source is missing, unreachable or holds no usable key', async () => {
    for (const [source, message] of [
      [file('missing.json'), /cannot read it/],
      [`${base}/nothing-here`, /cannot read it \(answered 404\)/],
      [file('other.json'), /no P-256 or Ed25519 public key in it/],
    ] as const) {
      const run = await cli('evidence', file('genuine.json'), '--trusted-key', source);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});
