// Consent approvals through the API: each a RequestConsent already on the ledger, then an
// ApproveConsent committed before the citizen's answer. Shared by bench/api.js (devnet) and
// bench/fabric.js (the same API on each ledger).
import { percentiles, round } from './stats.js';

export const consentRequest = (n) => ({
  subject: { nationalId: String(100000000000 + n) },
  purpose: 'credit_scoring',
  fields: ['residence.province', 'health_insurance.status'],
  mode: 'PERIODIC',
  frequency: { limit: 100000, per: 'DAY' },
  validUntil: new Date(Date.now() + 86400_000).toISOString(),
  retentionDays: 30,
  justification: 'Benchmark consent request',
});

/**
 * The single hot consent, made through the API as a consumer would: a citizen with a residence and
 * a health-insurance record, asked by `bank` and approved. Answers the consent's id.
 */
export async function hotConsent(stack, custodian, bank, nationalId = '001099012345') {
  const { post, devToken } = stack;
  await post('/v1/records', custodian.token, {
    subject: { nationalId },
    category: 'residence',
    fields: { province: 'Hà Nội', ward: 'Hàng Bài', streetAddress: '12 Phố Huế' },
  });
  await post('/v1/records', custodian.token, { subject: { nationalId }, category: 'health_insurance', fields: { status: 'ACTIVE', coverageLevel: '4' } });
  const consent = await post('/v1/consents', bank.token, { ...consentRequest(0), subject: { nationalId } });
  await post(`/v1/consents/${consent.id}/approve`, await devToken({ role: 'citizen', nationalId }), {});
  return consent.id;
}

/** Requests `count` consents as `bank`, then has 32 citizens' clients approve them; committed approvals per second. */
export async function measureApprovals(stack, bank, count, concurrency = 32) {
  const { post, devToken } = stack;
  const requests = [];
  for (let i = 0; i < count; i += 10) {
    requests.push(
      ...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, k) => post('/v1/consents', bank.token, consentRequest(i + k + 1))))),
    );
  }
  const tokens = await Promise.all(requests.map((_, i) => devToken({ role: 'citizen', nationalId: String(100000000000 + i + 1) })));
  const latencies = [];
  const cpuBefore = stack.cpuSeconds?.();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < requests.length; i = next++) {
        const t0 = performance.now();
        await post(`/v1/consents/${requests[i].id}/approve`, tokens[i], {});
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = stack.cpuSeconds?.();
  return {
    count: requests.length,
    concurrency,
    committedPerSecond: round(requests.length / seconds, 1),
    latencyMs: percentiles(latencies),
    // The stack's CPU per approval (API, its devnet thread and chaincode workers, Postgres): what caps approvals/s on a machine of few cores.
    ...(cpuBefore !== undefined && cpuAfter !== undefined ? { stackCpuMsPerApproval: round(((cpuAfter - cpuBefore) * 1000) / requests.length, 2) } : {}),
  };
}
