import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** Demo citizens: identity numbers from a range no real citizen has (000…), names invented. */
const CITIZENS = [
  {
    nationalId: '000000000101',
    records: {
      identity: { fullName: 'Nguyễn Văn An', dateOfBirth: '1990-04-12', sex: 'male', nationality: 'Việt Nam', citizenIdNumber: '000000000101' },
      residence: { province: 'Hà Nội', ward: 'Hàng Bài', streetAddress: '12 Phố Huế', since: '2015-06-01' },
      health_insurance: {
        cardNumber: 'DN4010000000101',
        coverageLevel: '4',
        registeredHospital: 'Bệnh viện Bạch Mai',
        validUntil: '2027-12-31',
        status: 'ACTIVE',
      },
      driving_licence: { licenceNumber: '010000000101', licenceClass: 'B2', issuedOn: '2012-03-05', expiresOn: '2032-03-05', status: 'VALID' },
    },
  },
  {
    nationalId: '000000000102',
    records: {
      identity: { fullName: 'Trần Thị Bình', dateOfBirth: '1985-11-30', sex: 'female', nationality: 'Việt Nam', citizenIdNumber: '000000000102' },
      residence: { province: 'Thừa Thiên Huế', ward: 'Phú Hội', streetAddress: '5 Lê Lợi', since: '2010-01-15' },
      health_insurance: {
        cardNumber: 'GD4460000000102',
        coverageLevel: '3',
        registeredHospital: 'Bệnh viện Trung ương Huế',
        validUntil: '2026-12-31',
        status: 'ACTIVE',
      },
    },
  },
  {
    nationalId: '000000000103',
    records: {
      identity: { fullName: 'Lê Minh Châu', dateOfBirth: '2001-07-21', sex: 'female', nationality: 'Việt Nam', citizenIdNumber: '000000000103' },
      residence: { province: 'Thành phố Hồ Chí Minh', ward: 'Bến Nghé', streetAddress: '88 Đồng Khởi', since: '2019-09-01' },
      driving_licence: { licenceNumber: '790000000103', licenceClass: 'A1', issuedOn: '2020-02-10', expiresOn: '2030-02-10', status: 'VALID' },
    },
  },
];

const ORGANIZATIONS = [
  {
    key: 'social-insurance',
    name: 'Bảo hiểm xã hội Việt Nam (demo)',
    registrationNumber: 'DEMO-BHXH-01',
    roles: ['custodian'],
    deposits: ['identity', 'residence', 'health_insurance'],
  },
  { key: 'traffic-police', name: 'Cục Cảnh sát giao thông (demo)', registrationNumber: 'DEMO-CSGT-01', roles: ['custodian'], deposits: ['driving_licence'] },
  { key: 'bank', name: 'Ngân hàng Số An Tâm (demo)', registrationNumber: 'DEMO-BANK-01', roles: ['consumer', 'provider'], deposits: [] },
] as const;

/**
 * On the first start in dev mode: three organisations (two custodians and a bank), three citizens
 * with records and one listed data product, through the public API as a real client would. The
 * organisations' keys are written to `<dataDir>/demo/organizations.json` (0600) so the SDK and
 * curl can act as them.
 */
export async function seedDemoData(apiUrl: string, publicUrl: string, dataDir: string): Promise<{ seeded: boolean; file: string }> {
  const dir = join(dataDir, 'demo');
  const file = join(dir, 'organizations.json');
  if (
    await access(file).then(
      () => true,
      () => false,
    )
  )
    return { seeded: false, file };
  const call = async (path: string, init: { token?: string; body?: unknown; form?: URLSearchParams } = {}) => {
    const res = await fetch(apiUrl + path, {
      method: init.body !== undefined || init.form ? 'POST' : 'GET',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.form ? { body: init.form } : init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    if (!res.ok) throw new Error(`demo data: ${path} answered ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const operator = String((await call('/dev/token', { body: { role: 'operator' } })).access_token);
  const saved: Record<string, { id: string; name: string; roles: readonly string[]; signingKey: JWK; encryptionKey: JWK }> = {};
  for (const spec of ORGANIZATIONS) {
    const signing = await generateKeyPair('ES256', { extractable: true });
    const encryption = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
    const jwks = {
      keys: [
        { ...(await exportJWK(signing.publicKey)), kid: 'sig-1', use: 'sig', alg: 'ES256' },
        { ...(await exportJWK(encryption.publicKey)), kid: 'enc-1', use: 'enc', alg: 'ECDH-ES' },
      ],
    };
    const org = await call('/v1/organizations', {
      token: operator,
      body: { name: spec.name, registrationNumber: spec.registrationNumber, roles: spec.roles, jwks },
    });
    saved[spec.key] = {
      id: String(org.id),
      name: spec.name,
      roles: spec.roles,
      signingKey: { ...(await exportJWK(signing.privateKey)), kid: 'sig-1', alg: 'ES256' },
      encryptionKey: { ...(await exportJWK(encryption.privateKey)), kid: 'enc-1', alg: 'ECDH-ES' },
    };
  }
  const tokenFor = async (key: string): Promise<string> => {
    const org = saved[key]!;
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'sig-1' })
      .setIssuer(org.id)
      .setSubject(org.id)
      .setAudience(`${publicUrl}/oauth/token`) // the token endpoint as the API names itself
      .setIssuedAt()
      .setExpirationTime('60s')
      .setJti(crypto.randomUUID())
      .sign(await importJWK(org.signingKey, 'ES256'));
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
    return String((await call('/oauth/token', { form })).access_token);
  };
  // One listed product, so the catalogue is not empty: statistics the bank offers (with three demo
  // citizens every cell is under the cohort of 10, so a query shows how suppression answers).
  // Listed alongside the deposits below, so it adds no time to the first start.
  const listing = (async () => {
    const bank = await tokenFor('bank');
    const product = await call('/v1/products', {
      token: bank,
      body: {
        title: { vi: 'Thống kê bảo hiểm y tế theo tỉnh và nhóm tuổi', en: 'Health insurance by province and age band' },
        description: {
          vi: 'Số người theo tỉnh, nhóm tuổi, giới tính và tình trạng BHYT; ô dưới 10 người bị ẩn.',
          en: 'People by province, age band, sex and insurance status; cells under 10 people are suppressed.',
        },
        kind: 'AGGREGATE',
        outputSchema: { type: 'object', properties: { cells: { type: 'array', items: { type: 'object' } } } },
        terms: {
          permittedPurposes: ['academic_research', 'public_service_delivery'],
          durationDays: 365,
          prohibitedActions: ['re_identification', 'resale', 'linkage'],
          crossBorder: false,
          attribution: true,
          quota: { units: 1000, per: 'MONTH' },
          minCohortSize: 10,
        },
        plans: [
          { id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '2000' },
          { id: 'free', kind: 'FREE', priceDong: '0', includedUnits: 20 },
        ],
        aggregate: { dimensions: ['province', 'ageBand', 'sex', 'insuranceStatus'], privacy: { epsilonPerQuery: 0.5, budgetPerLicence: 20 } },
      },
    });
    await call(`/v1/products/${String(product.id)}/submit`, { token: bank, body: {} });
    await call(`/v1/products/${String(product.id)}/approve`, { token: operator, body: {} });
  })();
  listing.catch(() => {}); // awaited (and so thrown) below; this only keeps it from counting as unhandled meanwhile
  for (const spec of ORGANIZATIONS.filter((o) => o.deposits.length > 0)) {
    const token = await tokenFor(spec.key);
    for (const citizen of CITIZENS) {
      for (const category of spec.deposits) {
        const fields = (citizen.records as Record<string, Record<string, unknown> | undefined>)[category];
        if (fields) await call('/v1/records', { token, body: { subject: { nationalId: citizen.nationalId }, category, fields } });
      }
    }
  }
  await listing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify({ apiUrl: publicUrl, citizens: CITIZENS.map((c) => c.nationalId), organizations: saved }, null, 2) + '\n', {
    mode: 0o600,
  });
  return { seeded: true, file };
}
