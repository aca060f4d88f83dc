// Devnet benchmark: committed transactions per second and submit-to-commit latency for a
// write-heavy workload, driven through the unmodified @hyperledger/fabric-gateway client, with
// the machine's ECDSA P-256 sign-and-verify rate measured in the same run as the baseline.
import { devnetTarget, ecdsaCeiling, runWorkload } from './ledger-workload.js';
import { round } from './stats.js';

process.env.BENCH_KEY_PEM ??= (await import('node:crypto'))
  .generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' });
const ceiling = ecdsaCeiling();
const results = [];
for (const policy of (process.env.BENCH_POLICIES ?? 'ANY Endorsement,MAJORITY Endorsement').split(',')) {
  const target = await devnetTarget(policy);
  try {
    results.push(await runWorkload(target));
  } finally {
    await target.close();
  }
}
const report = {
  benchmark: 'devnet write-heavy (blind writes of 100-byte values)',
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  baseline: { ecdsaP256SignVerifyPairsPerSecond: round(ceiling, 0) },
  results: results.map((r) => ({ ...r, ratioToEcdsaCeiling: round(r.committedTxPerSecond / ceiling, 4) })),
  // Issue 16's goals: 1,000 committed tx/s with ANY, 700 with MAJORITY, 32 clients.
  goals: results.map((r) => {
    const target = r.policy.startsWith('ANY') ? 1000 : 700;
    return {
      goal: `devnet, ${r.policy}: >= ${target} committed tx/s at ${r.clients} clients`,
      measured: `${r.committedTxPerSecond} tx/s, p50 ${r.submitToCommitMs.p50} ms, p99 ${r.submitToCommitMs.p99} ms; CPU per tx ${r.cpuMsPerCommittedTx.ledger} ms devnet, ${r.cpuMsPerCommittedTx.client} ms client`,
      baseline: `${round(ceiling, 0)} ECDSA P-256 sign+verify pairs/s on one core`,
      met: r.committedTxPerSecond >= target,
    };
  }),
};
console.log(JSON.stringify(report, null, 2));
