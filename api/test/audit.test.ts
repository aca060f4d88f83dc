import { execFile } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesToHex,
  hexToBytes,
  leafHash,
  verifyConsistency,
  verifyInclusion,
  verifyLogEntry,
  verifyTreeHead,
  type LogPublicKey,
  type SignedTreeHead,
} from '@citizen-vault/sdk';
import { AccessLog } from '../src/audit/access-log.js';
import { Frontier, leafHash as apiLeafHash } from '../src/audit/merkle.js';
import { citizenToken, registerOrganization, requests, startStack, type TestOrganization, type TestStack } from './stack.js';

const AN = '001099012345';

interface CitizenEvent {
  id: string;
  outcome: string;
  leafIndex: number | null;
  logEntry: string | null;
}

describe("audit: the verifiable access log, its anchors, and the auditor's view of the ledger", () => {
  let stack: TestStack;
  let custodian: TestOrganization;
  let bank: TestOrganization;
  let an: string;
  let auditor: string;
  let consentId: string;

  const { call, ok } = requests(() => stack.url);
  /** Waits for a signed head covering `size` leaves that is anchored on the ledger. */
  const anchoredHead = async (size: number): Promise<SignedTreeHead> => {
    for (let i = 0; i < 100; i++) {
      const res = await call('/v1/log/sth', undefined);
      if (res.status === 200) {
        const head = (await res.json()) as SignedTreeHead;
        if (head.treeSize >= size && head.anchor) return head;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no anchored tree head of size ${size}`);
  };
  const citizenEvents = async () => (await ok<{ items: CitizenEvent[] }>(await call('/v1/me/access-events', an))).items;

  beforeAll(async () => {
    stack = await startStack({ treeHeadIntervalMs: 150 });
    custodian = await registerOrganization(stack, ['custodian'], 'Bảo hiểm xã hội Việt Nam');
    bank = await registerOrganization(stack, ['consumer'], '=HYPERLINK("x") Ngân hàng');
    an = await citizenToken(stack, AN);
    auditor = ((await (await call('/dev/token', undefined, { body: { role: 'auditor' } })).json()) as { access_token: string }).access_token;
    const token = await custodian.token();
    await ok(
      await call('/v1/records', token, {
        body: { subject: { nationalId: AN }, category: 'residence', fields: { province: 'Hà Nội', streetAddress: '12 Phố Huế' } },
      }),
      201,
    );
    consentId = (
      await ok<{ id: string }>(
        await call('/v1/consents', await bank.token(), {
          body: {
            subject: { nationalId: AN },
            purpose: 'credit_scoring',
            fields: ['residence.province', 'residence.streetAddress'],
            mode: 'PERIODIC',
            frequency: { limit: 1000, per: 'DAY' },
            validUntil: new Date(Date.now() + 86400_000).toISOString(),
            retentionDays: 1,
            justification: 'Thẩm định hồ sơ vay tiêu dùng',
          },
        }),
        201,
      )
    ).id;
    await ok(await call(`/v1/consents/${consentId}/approve`, an, { body: { fields: ['residence.province'] } }));
    const bankToken = await bank.token();
    await ok(await call(`/v1/consents/${consentId}/data`, bankToken));
    await ok(await call(`/v1/consents/${consentId}/data`, bankToken));
    expect((await call(`/v1/consents/${consentId}/data?fields=residence.streetAddress`, bankToken)).status).toBe(403);
  }, 90_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('gives every access event shown to the citizen a leaf whose inclusion verifies offline against an anchored, signed head', async () => {
    const events = await citizenEvents();
    expect(events.map((e) => e.outcome)).toEqual(['DENIED', 'GRANTED', 'GRANTED']);
    const head = await anchoredHead(Math.max(...events.map((e) => e.leafIndex!)) + 1);
    const key = (await (await call('/v1/log/public-key', undefined)).json()) as LogPublicKey;
    expect(await verifyTreeHead(head, key)).toBe(true);
    // Also with node:crypto directly, from the documented message format.
    expect(
      verify(
        null,
        Buffer.from(`citizen-vault-sth/v1\n${head.treeSize}\n${head.rootHash}\n${head.timestamp}`),
        createPublicKey({ key: key.jwk, format: 'jwk' }),
        Buffer.from(head.signature, 'base64url'),
      ),
    ).toBe(true);
    for (const e of events) {
      expect(e.leafIndex).toBeTypeOf('number');
      const entry = JSON.parse(e.logEntry!);
      expect(entry).toMatchObject({ kind: 'data_read', id: e.id, consentId, outcome: e.outcome });
      expect(e.logEntry).not.toContain(AN); // pseudonymous: no identity number in the log
      expect(await verifyLogEntry(stack.url, { leafIndex: e.leafIndex!, logEntry: e.logEntry! })).toMatchObject({ verified: true });
      // A changed entry (say, GRANTED → DENIED) does not verify.
      const forged = e.logEntry!.replace(/"outcome":"\w+"/, `"outcome":"${e.outcome === 'GRANTED' ? 'DENIED' : 'GRANTED'}"`);
      expect(await verifyLogEntry(stack.url, { leafIndex: e.leafIndex!, logEntry: forged })).toMatchObject({ verified: false });
    }
    // The anchor is a real ledger transaction holding the same head.
    const onLedger = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('anchors', 'GetLatestTreeHead')).toString()) as {
      treeSize: number;
      rootHash: string;
    };
    expect(onLedger.treeSize).toBeGreaterThanOrEqual(head.treeSize);
    // The API's hashing and the SDK's agree.
    expect(bytesToHex(await leafHash(events[0]!.logEntry!))).toBe(apiLeafHash(events[0]!.logEntry!).toString('hex'));
  });

  it('proves each later head consistent with an earlier one, and refuses impossible proofs', async () => {
    const first = await anchoredHead(1);
    const bankToken = await bank.token();
    await ok(await call(`/v1/consents/${consentId}/data`, bankToken));
    const second = await anchoredHead(first.treeSize + 1);
    const proof = await ok<{ consistencyPath: string[] }>(await call(`/v1/log/proof/consistency?first=${first.treeSize}&second=${second.treeSize}`, undefined));
    expect(
      await verifyConsistency(first.treeSize, second.treeSize, hexToBytes(first.rootHash), hexToBytes(second.rootHash), proof.consistencyPath.map(hexToBytes)),
    ).toBe(true);
    expect(
      await verifyConsistency(first.treeSize, second.treeSize, hexToBytes('00'.repeat(32)), hexToBytes(second.rootHash), proof.consistencyPath.map(hexToBytes)),
    ).toBe(false);
    const inclusion = await ok<{ leafHash: string; auditPath: string[] }>(
      await call(`/v1/log/proof/inclusion?leafIndex=0&treeSize=${second.treeSize}`, undefined),
    );
    expect(await verifyInclusion(hexToBytes(inclusion.leafHash), 0, second.treeSize, inclusion.auditPath.map(hexToBytes), hexToBytes(second.rootHash))).toBe(
      true,
    );
    for (const bad of [
      '/v1/log/proof/inclusion?leafIndex=5&treeSize=3',
      '/v1/log/proof/inclusion?leafIndex=0&treeSize=99999999',
      '/v1/log/proof/consistency?first=9&second=3',
      '/v1/log/proof/inclusion?leafIndex=-1&treeSize=3',
      '/v1/log/proof/inclusion?leafIndex=x',
    ]) {
      const res = await call(bad, undefined);
      expect(res.status, bad).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
  });

  it('lets only auditors in: citizens and organisations get 403, strangers 401', async () => {
    for (const path of [
      '/v1/audit/access-events',
      '/v1/audit/ledger/blocks',
      '/v1/audit/ledger/verify',
      '/v1/audit/log/verify',
      '/v1/audit/reports/access-summary',
    ]) {
      expect((await call(path, an)).status, path).toBe(403);
      expect((await call(path, await bank.token())).status, path).toBe(403);
      expect((await call(path, undefined)).status, path).toBe(401);
      expect((await call(path, auditor)).status, path).toBe(200);
    }
  });

  it('queries access events by subject, consumer, consent, outcome and time, page by page', async () => {
    const all = await ok<{ items: { id: string; subjectId: string; outcome: string; leafIndex: number }[]; nextCursor: string }>(
      await call(`/v1/audit/access-events?consentId=${consentId}&limit=500`, auditor),
    );
    expect(all.items.length).toBeGreaterThanOrEqual(4);
    const subjectId = all.items[0]!.subjectId;
    const paged: string[] = [];
    let cursor = '';
    do {
      const page = await ok<{ items: { id: string }[]; nextCursor: string }>(
        await call(`/v1/audit/access-events?subjectId=${subjectId}&consumerOrgId=${bank.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, auditor),
      );
      expect(page.items.length).toBeLessThanOrEqual(1);
      paged.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.items.map((i) => i.id));
    const denied = await ok<{ items: { outcome: string }[] }>(await call(`/v1/audit/access-events?consentId=${consentId}&outcome=DENIED`, auditor));
    expect(denied.items.map((i) => i.outcome)).toEqual(['DENIED']);
    const future = await ok<{ items: unknown[] }>(
      await call(`/v1/audit/access-events?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`, auditor),
    );
    expect(future.items).toEqual([]);
    expect((await call('/v1/audit/access-events?cursor=bogus', auditor)).status).toBe(400);
    expect((await call('/v1/audit/access-events?subjectId=1', auditor)).status).toBe(400);
  });

  it('shows the consent history as the ledger recorded it, and the ledger block by block with validation codes', async () => {
    await stack.api.ledgerProjector.caughtUp(await stack.api.ledger.height());
    const history = await ok<{ items: { event: string; status: string; transactionId: string; blockNumber: number }[] }>(
      await call(`/v1/audit/consent-events?consentId=${consentId}`, auditor),
    );
    const names = history.items.map((i) => i.event);
    expect(names).toContain('ConsentRequested');
    expect(names).toContain('ConsentApproved');
    const approved = history.items.find((i) => i.event === 'ConsentApproved')!;
    const block = await ok<{
      number: number;
      hash: string;
      previousHash: string;
      transactions: { id: string; validationCode: string; chaincode: string; function: string; mspId: string }[];
    }>(await call(`/v1/audit/ledger/blocks/${approved.blockNumber}`, auditor));
    const tx = block.transactions.find((t) => t.id === approved.transactionId)!;
    // On real Fabric each test stack's chaincode has a name of its own (citizen-vault-<suffix>).
    expect(tx).toMatchObject({
      validationCode: 'VALID',
      chaincode: expect.stringMatching(/^citizen-vault/),
      function: 'consent:ApproveConsent',
      mspId: 'VaultOperatorMSP',
    });
    const byId = await ok<{ occurrences: { blockNumber: number; validationCode: string }[] }>(
      await call(`/v1/audit/ledger/transactions/${approved.transactionId}`, auditor),
    );
    expect(byId.occurrences).toEqual([expect.objectContaining({ blockNumber: approved.blockNumber, validationCode: 'VALID' })]);
    const blocks = await ok<{ items: { number: number; hash: string; previousHash: string }[]; nextCursor: string }>(
      await call('/v1/audit/ledger/blocks?limit=3', auditor),
    );
    expect(blocks.items).toHaveLength(3);
    expect(blocks.items[1]!.hash).toBe(blocks.items[0]!.previousHash);
    const older = await ok<{ items: { number: number }[] }>(await call(`/v1/audit/ledger/blocks?limit=3&cursor=${blocks.nextCursor}`, auditor));
    expect(older.items[0]!.number).toBe(blocks.items[2]!.number - 1);
    expect((await call('/v1/audit/ledger/blocks/99999999', auditor)).status).toBe(404);
  });

  it('verifies the whole hash chain, streaming progress, and every anchored head', async () => {
    const res = await call('/v1/audit/ledger/verify', auditor, { accept: 'application/x-ndjson' });
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; ok?: boolean; height?: number });
    expect(lines.at(-1)).toMatchObject({ type: 'result', ok: true });
    expect(lines.at(-1)!.height).toBeGreaterThan(5);
    expect(lines.some((l) => l.type === 'progress')).toBe(true);
    const plain = await ok<{ ok: boolean; problems: unknown[] }>(await call('/v1/audit/ledger/verify', auditor));
    expect(plain).toMatchObject({ ok: true, problems: [] });
    const anchors = await ok<{ ok: boolean; checked: number }>(await call('/v1/audit/log/verify', auditor));
    expect(anchors.ok).toBe(true);
    expect(anchors.checked).toBeGreaterThan(1);
    expect(await ok<{ ok: boolean }>(await call('/v1/audit/log/verify?mode=full', auditor))).toMatchObject({ ok: true });
  });

  it('reports access per consumer and consent statistics as JSON and CSV, safe to open in a spreadsheet', async () => {
    const summary = await ok<{ rows: { consumerOrgId: string; granted: number; denied: number; citizens: number }[] }>(
      await call('/v1/audit/reports/access-summary', auditor),
    );
    expect(summary.rows.find((r) => r.consumerOrgId === bank.id)).toMatchObject({ denied: 1, citizens: 1 });
    const csv = await call('/v1/audit/reports/access-summary?format=csv', auditor);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="access-summary-/);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toBe('consumerOrgId,consumerName,granted,denied,citizens,firstAt,lastAt');
    expect(text).toContain(`"'=HYPERLINK(""x"") Ngân hàng"`); // a formula-looking name is defused
    const stats = await ok<{ rows: { purpose: string; status: string; consents: number }[] }>(await call('/v1/audit/reports/consent-stats', auditor));
    expect(stats.rows).toContainEqual(expect.objectContaining({ purpose: 'credit_scoring', status: 'ACTIVE', consents: 1 }));
    expect((await call('/v1/audit/reports/consent-stats?format=xml', auditor)).status).toBe(400);
  });

  it('rebuilds the ledger read model from block 0 into exactly what it had, and resumes after a restart', async () => {
    const height = await stack.api.ledger.height();
    await stack.api.ledgerProjector.caughtUp(height);
    const snapshot = async () => ({
      blocks: await stack.api.sql`select * from ledger_blocks where number < ${height} order by number`,
      transactions: await stack.api.sql`select * from ledger_transactions where block_number < ${height} order by block_number, tx_index`,
      events: await stack.api.sql`select * from ledger_events where block_number < ${height} order by block_number, tx_index`,
    });
    const live = await snapshot();
    expect(live.blocks).toHaveLength(height);
    expect((await call('/v1/audit/ledger/rebuild', auditor, { method: 'POST' })).status).toBe(202);
    await stack.api.ledgerProjector.caughtUp(height);
    expect(await snapshot()).toEqual(live);

    await stack.restartApi();
    await ok(await call(`/v1/consents/${consentId}/data`, await bank.token()));
    const after = await stack.api.ledger.height();
    await stack.api.ledgerProjector.caughtUp(after);
    const [{ count }] = (await stack.api.sql`select count(*)::int as count from ledger_blocks`) as unknown as [{ count: number }];
    expect(count).toBeGreaterThanOrEqual(after); // every block once: the checkpoint resumed, nothing duplicated (primary keys)
  });

  it('keeps the tree dense and right when two API instances append at once', async () => {
    const other = new AccessLog(stack.api.sql); // a second instance's log, same database
    const bankToken = await bank.token();
    const results = await Promise.all([
      ...Array.from({ length: 200 }, (_, i) => other.append('licence_use', { licenceId: `l-${i}`, units: 1 })),
      ...Array.from({ length: 10 }, () => call(`/v1/consents/${consentId}/data`, bankToken).then(() => ({ leafIndex: -1 }))),
    ]);
    const indices = results.map((r) => r.leafIndex).filter((i) => i >= 0);
    expect(new Set(indices).size).toBe(200);
    const rows = await stack.api.sql<{ leaf_index: string; entry: string }[]>`select leaf_index, entry from log_leaves order by leaf_index`;
    expect(rows.map((r) => Number(r.leaf_index))).toEqual(rows.map((_, i) => i)); // no gaps, no duplicates
    const rebuilt = new Frontier(0);
    for (const r of rows) rebuilt.append(apiLeafHash(r.entry));
    expect((await stack.api.log.rootAt(rows.length)).toString('hex')).toBe(rebuilt.root().toString('hex'));
  });

  const CLI = resolve(import.meta.dirname, '../../sdk/bin/citizen-vault-audit.mjs');
  let cliHome: string;
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, [CLI, ...args], { env: { ...process.env, HOME: cliHome, CV_AUDIT_TOKEN: '' } }, (err, stdout, stderr) => {
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  it('the auditor CLI checks the head, every anchored head and the ledger, and remembers what it saw', async () => {
    cliHome = await mkdtemp(join(tmpdir(), 'cv-audit-cli-'));
    const first = await cli('verify', '--api', stack.url, '--dev');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^ok {3}signed tree head of \d+ leaves/m);
    expect(first.stdout).toMatch(/^ok {3}\d+ anchored tree heads/m);
    expect(first.stdout).toMatch(/^ok {3}ledger hash chain of \d+ blocks/m);
    await ok(await call(`/v1/consents/${consentId}/data`, await bank.token()));
    const events = await citizenEvents();
    await anchoredHead(events[0]!.leafIndex! + 1);
    const second = await cli('verify', '--api', stack.url);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^ok {3}consistent with the head of \d+ leaves seen/m);
    const entry = await cli('entry', '--api', stack.url, '--leaf', String(events[0]!.leafIndex), '--entry', events[0]!.logEntry!);
    expect(entry.code, entry.stdout).toBe(0);
    const forged = await cli('entry', '--api', stack.url, '--leaf', String(events[0]!.leafIndex), '--entry', events[0]!.logEntry!.replace('GRANTED', 'DENIED'));
    expect(forged.code).toBe(1);
    expect((await cli('ledger', '--api', stack.url)).code).toBe(2); // no token: cannot run, says so
  });

  it('detects a tampered entry (full re-hash) and a rewritten history (roots no longer match the anchors)', async () => {
    const event = (await citizenEvents()).find((e) => e.outcome === 'DENIED');
    const head = await anchoredHead(event!.leafIndex! + 1);
    await stack.api.log.stop(); // no new heads while the log is being tampered with
    // 1. An insider changes a stored entry but leaves the hashes: the full audit re-hashes and finds it.
    await stack.api.sql`update log_leaves set entry = replace(entry, '"outcome":"DENIED"', '"outcome":"GRANTED"') where leaf_index = ${event!.leafIndex!}`;
    const full = await ok<{ ok: boolean; problems: { leafIndex?: number; reason: string }[] }>(await call('/v1/audit/log/verify?mode=full', auditor));
    expect(full.ok).toBe(false);
    expect(full.problems[0]).toMatchObject({ leafIndex: event!.leafIndex, reason: expect.stringMatching(/entry was changed/) });
    const shown = (await citizenEvents()).find((e) => e.id === event!.id)!;
    expect(shown.logEntry).toContain('"outcome":"GRANTED"');
    expect(await verifyLogEntry(stack.url, { leafIndex: shown.leafIndex!, logEntry: shown.logEntry! })).toMatchObject({ verified: false });

    // 2. A thorough insider also recomputes the leaf hash and every node: the log is self-consistent
    //    again, but its roots no longer match the heads anchored on the ledger.
    const leaves = await stack.api.sql<{ leaf_index: string; entry: string }[]>`select leaf_index, entry from log_leaves order by leaf_index`;
    const frontier = new Frontier(0);
    await stack.api.sql.begin(async (tx) => {
      await tx`delete from log_nodes`;
      for (const l of leaves) {
        const hash = apiLeafHash(l.entry);
        await tx`update log_leaves set leaf_hash = ${hash} where leaf_index = ${l.leaf_index}`;
        for (const n of frontier.append(hash)) await tx`insert into log_nodes (level, idx, hash) values (${n.level}, ${n.index}, ${n.hash})`;
      }
    });
    expect(await ok<{ ok: boolean }>(await call('/v1/audit/log/verify?mode=full', auditor))).toMatchObject({ ok: false });
    const anchors = await ok<{ ok: boolean; problems: { treeSize: number; reason: string }[] }>(await call('/v1/audit/log/verify', auditor));
    expect(anchors.ok).toBe(false);
    expect(anchors.problems.some((p) => p.treeSize >= head.treeSize && /rewritten/.test(p.reason))).toBe(true);
    // The log goes on, signing and anchoring heads over the rewritten tree. The CLI, remembering
    // the head it saw before, finds the new head inconsistent with it; with an auditor's token it
    // also finds the anchored heads inconsistent with each other.
    stack.api.log.start();
    await ok(await call(`/v1/consents/${consentId}/data`, await bank.token()));
    // The ledger itself refuses to anchor a head that does not extend the anchored history.
    let refused: { anchor_error: string | null }[] = [];
    for (let i = 0; i < 100 && refused.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      refused = await stack.api.sql<
        { anchor_error: string | null }[]
      >`select anchor_error from log_tree_heads where tree_size > ${leaves.length} and anchor_error is not null`;
    }
    expect(refused[0]?.anchor_error).toMatch(/anchor_not_consistent/);
    const latest = (await (await call('/v1/log/sth', undefined)).json()) as SignedTreeHead;
    expect(latest.treeSize).toBeGreaterThan(leaves.length);
    expect(latest.anchor).toBeNull();
    const after = await cli('verify', '--api', stack.url);
    expect(after.code, after.stdout).toBe(1);
    expect(after.stdout).toMatch(/^FAIL consistent with the head of \d+ leaves seen/m);
    const withToken = await cli('verify', '--api', stack.url, '--dev');
    expect(withToken.stdout).toMatch(/^FAIL \d+ anchored tree heads: .* — \d+ failed/m);
    await rm(cliHome, { recursive: true, force: true });
  });
});
