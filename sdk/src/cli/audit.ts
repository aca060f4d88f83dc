import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { verifyEvidencePackage } from '../evidence-package.js';
import { loadPinnedKeys } from './trusted-keys.js';
import { hexToBytes, verifyConsistency, verifyLogEntry, verifyTreeHead, type LogPublicKey, type SignedTreeHead } from '../log-proofs.js';

const USAGE = `citizen-vault-audit — check a Citizen Vault's access log and ledger yourself

  citizen-vault-audit verify --api URL [--token T | --dev]
      The latest signed tree head: its Ed25519 signature, and its consistency with the head this
      machine saw last time (kept in ~/.citizen-vault-audit/). With an auditor token, also every
      anchored head: signature, consistency with the one before, and its anchor transaction on
      the ledger. Then the ledger's full hash chain, with a progress bar.
  citizen-vault-audit ledger --api URL (--token T | --dev)
      Only the ledger's hash chain.
  citizen-vault-audit entry --api URL --leaf N --entry JSON
      One log entry (an access event's leafIndex and logEntry) against the latest signed head.
  citizen-vault-audit evidence FILE [--trusted-key PATH_OR_URL]...
      A consent decision's evidence package, offline: the artefact's signature, the device's
      signature over the decision, the log entry with the ledger transaction, and its inclusion
      under the signed tree head. Without --trusted-key it checks with the keys the package
      carries: compare the key ids it prints with the published keys. With --trusted-key (a JWKS
      or JWK file or URL, e.g. URL/.well-known/jwks.json and URL/v1/log/public-key; repeatable)
      the artefact and the tree head must be signed by pinned keys, or the check fails.

  --token T   an auditor's access token (or CV_AUDIT_TOKEN); --dev asks the development issuer.
  Exit status: 0 verified, 1 a check failed, 2 the checks could not run.`;

class Failure extends Error {}

function progressBar(label: string): { update(done: number, total: number): void; end(): void } {
  const tty = process.stderr.isTTY;
  let lastPercent = -1;
  return {
    update(done, total) {
      const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
      if (tty) {
        const width = 30;
        const filled = Math.round((percent / 100) * width);
        process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${done}/${total}`);
      } else if (percent >= lastPercent + 10 || done === total) {
        process.stderr.write(`${label}: ${done}/${total} (${percent}%)\n`);
        lastPercent = percent;
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      api: { type: 'string' },
      token: { type: 'string' },
      dev: { type: 'boolean' },
      leaf: { type: 'string' },
      entry: { type: 'string' },
      'trusted-key': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (command === 'evidence' && !values.help) {
    if (!positionals[1]) throw new Failure('evidence needs the package file');
    const pins = values['trusted-key'];
    const pinned = pins?.length ? await loadPinnedKeys(pins) : undefined;
    const result = await verifyEvidencePackage(await readFile(positionals[1]), pinned ? { trustedKeys: pinned } : {});
    if (!result.verified) {
      console.log(
        `FAIL evidence package: ${result.reason}${pinned && /not among the keys you trust/.test(result.reason ?? '') ? ' (pinned with --trusted-key)' : ''}`,
      );
      return 1;
    }
    const d = result.decision!;
    console.log(`ok   ${d.action} of consent ${d.consentId} (${d.grantedFields.join(', ') || 'no fields'}) signed by the device at ${d.at}`);
    console.log(`ok   passkey ${result.publicKeyHash}, ledger transaction ${result.transactionId}`);
    console.log(`ok   in the log under the head of ${result.treeHead!.treeSize} leaves signed by ${result.treeHead!.keyId}`);
    console.log(
      pinned
        ? `ok   the artefact and the tree head are signed by pinned keys (${pinned.artefact.length} artefact, ${pinned.log.length} log key(s) pinned)`
        : 'note the keys came with the package: pin the published ones with --trusted-key',
    );
    return 0;
  }
  if (values.help || !command || !['verify', 'ledger', 'entry'].includes(command) || !values.api) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const api = values.api.replace(/\/$/, '');
  const getJson = async <T>(path: string, token?: string): Promise<T> => {
    const res = await fetch(api + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${((await res.json().catch(() => ({}))) as { detail?: string }).detail ?? res.statusText}`);
    return (await res.json()) as T;
  };
  let token = values.token ?? process.env.CV_AUDIT_TOKEN;
  if (!token && values.dev) {
    const res = await fetch(`${api}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'auditor' }) });
    if (!res.ok) throw new Error(`the development issuer answered ${res.status} (is the API in dev mode?)`);
    token = ((await res.json()) as { access_token: string }).access_token;
  }
  let failed = false;
  const check = (ok: boolean, what: string): void => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failed = true;
  };

  if (command === 'entry') {
    if (!values.leaf || !values.entry) throw new Failure('entry needs --leaf and --entry');
    const result = await verifyLogEntry(api, { leafIndex: Number(values.leaf), logEntry: values.entry });
    check(
      result.verified,
      result.verified ? `entry ${values.leaf} is in the log (tree size ${result.treeHead?.treeSize})` : `entry ${values.leaf}: ${result.reason}`,
    );
    return failed ? 1 : 0;
  }

  if (command === 'verify') {
    const [head, key] = await Promise.all([getJson<SignedTreeHead>('/v1/log/sth'), getJson<LogPublicKey>('/v1/log/public-key')]);
    check(
      await verifyTreeHead(head, key),
      `signed tree head of ${head.treeSize} leaves, key ${key.keyId}${head.anchor ? `, anchored in transaction ${head.anchor.transactionId}` : ', not anchored yet'}`,
    );
    // Remember what we saw; next time the log must be an extension of it.
    const stateFile = join(homedir(), '.citizen-vault-audit', `${new URL(api).host.replace(/[^A-Za-z0-9.-]/g, '_')}.json`);
    const seen = await readFile(stateFile, 'utf8').then(
      (s) => JSON.parse(s) as SignedTreeHead,
      () => undefined,
    );
    if (seen && seen.treeSize <= head.treeSize) {
      const proof = await getJson<{ consistencyPath: string[] }>(`/v1/log/proof/consistency?first=${seen.treeSize}&second=${head.treeSize}`);
      check(
        await verifyConsistency(seen.treeSize, head.treeSize, hexToBytes(seen.rootHash), hexToBytes(head.rootHash), proof.consistencyPath.map(hexToBytes)),
        `consistent with the head of ${seen.treeSize} leaves seen on ${seen.timestamp}`,
      );
    } else if (seen) {
      check(false, `the log shrank: ${seen.treeSize} leaves seen on ${seen.timestamp}, ${head.treeSize} now`);
    }
    if (!failed) {
      await mkdir(join(homedir(), '.citizen-vault-audit'), { recursive: true, mode: 0o700 });
      await writeFile(stateFile, JSON.stringify(head));
    }
    if (token) {
      const heads: SignedTreeHead[] = [];
      let beforeSize: number | undefined;
      for (;;) {
        const page = await getJson<{ items: SignedTreeHead[] }>(`/v1/audit/log/tree-heads?limit=500${beforeSize ? `&beforeSize=${beforeSize}` : ''}`, token);
        heads.push(...page.items);
        if (page.items.length < 500) break;
        beforeSize = page.items[page.items.length - 1]!.treeSize;
      }
      const anchored = heads.filter((h) => h.anchor).reverse();
      const bar = progressBar('tree heads');
      let bad = 0;
      for (let i = 0; i < anchored.length; i++) {
        const h = anchored[i]!;
        let ok = await verifyTreeHead(h, key);
        const tx = await getJson<{ occurrences: { validationCode: string; eventPayload: { treeSize?: number; rootHash?: string } | null }[] }>(
          `/v1/audit/ledger/transactions/${h.anchor!.transactionId}`,
          token,
        ).catch(() => undefined);
        ok &&= !!tx?.occurrences.some((o) => o.validationCode === 'VALID' && o.eventPayload?.treeSize === h.treeSize && o.eventPayload.rootHash === h.rootHash);
        const previous = anchored[i - 1];
        if (ok && previous) {
          const proof = await getJson<{ consistencyPath: string[] }>(`/v1/log/proof/consistency?first=${previous.treeSize}&second=${h.treeSize}`);
          ok = await verifyConsistency(
            previous.treeSize,
            h.treeSize,
            hexToBytes(previous.rootHash),
            hexToBytes(h.rootHash),
            proof.consistencyPath.map(hexToBytes),
          );
        }
        if (!ok) bad += 1;
        bar.update(i + 1, anchored.length);
      }
      bar.end();
      check(bad === 0, `${anchored.length} anchored tree heads: signed, on the ledger, each consistent with the one before${bad ? ` — ${bad} failed` : ''}`);
    }
  }

  if (command === 'ledger' || (command === 'verify' && token)) {
    if (!token) throw new Failure('the ledger check needs an auditor token (--token, CV_AUDIT_TOKEN or --dev)');
    const res = await fetch(`${api}/v1/audit/ledger/verify`, { headers: { authorization: `Bearer ${token}`, accept: 'application/x-ndjson' } });
    if (!res.ok || !res.body) throw new Error(`/v1/audit/ledger/verify: ${res.status}`);
    const bar = progressBar('blocks');
    let buffered = '';
    let result: { ok: boolean; height: number; badBlocks: number[] } | undefined;
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as {
          type: string;
          checked?: number;
          total?: number;
          ok?: boolean;
          height?: number;
          badBlocks?: number[];
          detail?: string;
        };
        buffered = buffered.slice(newline + 1);
        if (line.type === 'progress') bar.update(line.checked!, line.total!);
        else if (line.type === 'result') result = line as typeof result;
        else if (line.type === 'error') throw new Error(line.detail);
      }
    }
    bar.end();
    if (!result) throw new Error('the verification stream ended without a result');
    check(result.ok, `ledger hash chain of ${result.height} blocks${result.ok ? '' : ` — bad blocks: ${result.badBlocks.join(', ')}`}`);
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`citizen-vault-audit: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
