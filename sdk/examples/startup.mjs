// A start-up asks a citizen for consent, waits for the answer, reads the data and prints it.
//
//   npm start                                   # in another terminal: the whole system with demo data
//   node sdk/examples/startup.mjs --auto-approve
//
// It acts as the demo bank from .data/demo/organizations.json. Without --auto-approve it waits for
// the citizen to approve in the portal (or with curl, as it prints); with it, it approves as the
// demo citizen through the development token issuer (dev mode only).
import { readFile } from 'node:fs/promises';
import { CitizenVault } from '@citizen-vault/sdk';

const demoFile = process.env.CV_DEMO_FILE ?? '.data/demo/organizations.json';
const demo = JSON.parse(await readFile(demoFile, 'utf8'));
const bank = demo.organizations.bank;
const baseUrl = process.env.CV_API_URL ?? demo.apiUrl;
const nationalId = demo.citizens[0];

const vault = await CitizenVault.create({ baseUrl, organizationId: bank.id, signingKey: bank.signingKey, encryptionKey: bank.encryptionKey });

const consent = await vault.consents.request({
  nationalId,
  purpose: 'credit_scoring',
  fields: ['residence.province', 'health_insurance.status', 'identity.dateOfBirth'],
  mode: 'ONCE',
  validUntil: new Date(Date.now() + 7 * 86400_000),
  retentionDays: 30,
  justification: 'Thẩm định hồ sơ vay tiêu dùng / Consumer loan assessment',
});
console.log(`asked citizen ${nationalId}: consent ${consent.id} is ${consent.status}`);

if (process.argv.includes('--auto-approve')) {
  const { access_token } = await (
    await fetch(`${baseUrl}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'citizen', nationalId }),
    })
  ).json();
  // The citizen grants two of the three fields.
  await fetch(`${baseUrl}/v1/consents/${consent.id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ fields: ['residence.province', 'health_insurance.status'] }),
  });
} else {
  console.log(
    `waiting for the citizen; to approve by hand:\n  TOKEN=$(curl -s -XPOST ${baseUrl}/dev/token -H 'content-type: application/json' -d '{"role":"citizen","nationalId":"${nationalId}"}' | jq -r .access_token)\n  curl -XPOST ${baseUrl}/v1/consents/${consent.id}/approve -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{}'`,
  );
}

const decided = await vault.consents.waitForDecision(consent.id, { intervalMs: 500 });
console.log(`the citizen answered: ${decided.status}, granted ${decided.grantedFields.join(', ') || 'nothing'}`);
if (decided.status === 'ACTIVE') {
  const data = await vault.consents.readData(consent.id);
  console.log(JSON.stringify(data.fields, null, 2));
}
