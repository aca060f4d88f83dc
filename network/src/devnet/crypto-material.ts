import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it
import { mkdir, readFile, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** One organisation of the network, as configured. */
export interface OrganizationSpec {
  mspId: string;
  /** e.g. `org1.example.com`; peers are `peer0.<domain>`, users `User1@<domain>`. */
  domain: string;
}

export interface UserMaterial {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

/** An organisation's MSP and peer material, laid out like Fabric's test network (cryptogen). */
export interface OrganizationMaterial extends OrganizationSpec {
  peerHostAlias: string;
  caCertPem: string;
  tlsCaCertPem: string;
  /** `peers/peer0.<domain>/tls/ca.crt`: what clients trust for the peer's TLS. */
  tlsCaCertPath: string;
  peer: { certPem: string; keyPem: string; tlsCertPem: string; tlsKeyPem: string };
  users: { Admin: UserMaterial; User1: UserMaterial };
}

const SIGNING: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIG_ALG = { name: 'ECDSA', hash: 'SHA-256' };
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/** Loads an organisation's material from `<root>/peerOrganizations/<domain>`, generating it on first start. */
export async function ensureOrganizationMaterial(root: string, spec: OrganizationSpec, now: Date = new Date()): Promise<OrganizationMaterial> {
  const base = join(root, 'peerOrganizations', spec.domain);
  const marker = join(base, 'msp', 'config.yaml');
  if (!(await exists(marker))) await generateOrganization(base, spec, now);
  return loadOrganization(base, spec);
}

/** An organisation's two roots (identities and TLS), valid from a minute ago for ten years. */
async function organizationRoots(domain: string, now: Date) {
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + TEN_YEARS_MS);
  const ca = await selfSignedCa(`ca.${domain}`, domain, notBefore, notAfter);
  const tlsCa = await selfSignedCa(`tlsca.${domain}`, domain, notBefore, notAfter);
  return { notBefore, notAfter, ca, tlsCa, caPem: ca.cert.toString('pem'), tlsCaPem: tlsCa.cert.toString('pem') };
}

async function generateOrganization(base: string, spec: OrganizationSpec, now: Date): Promise<void> {
  const { domain } = spec;
  const { notBefore, notAfter, ca, tlsCa, caPem, tlsCaPem } = await organizationRoots(domain, now);

  await writePem(join(base, 'ca', `ca.${domain}-cert.pem`), caPem);
  await writePem(join(base, 'ca', 'priv_sk'), await privatePem(ca.keys.privateKey));
  await writePem(join(base, 'tlsca', `tlsca.${domain}-cert.pem`), tlsCaPem);
  await writePem(join(base, 'tlsca', 'priv_sk'), await privatePem(tlsCa.keys.privateKey));
  await writePem(join(base, 'msp', 'cacerts', `ca.${domain}-cert.pem`), caPem);
  await writePem(join(base, 'msp', 'tlscacerts', `tlsca.${domain}-cert.pem`), tlsCaPem);

  const peerName = `peer0.${domain}`;
  const peerDir = join(base, 'peers', peerName);
  const peer = await issue(ca, { cn: peerName, ou: 'peer', org: domain, notBefore, notAfter });
  await writeMsp(join(peerDir, 'msp'), peerName, peer, caPem, tlsCaPem);
  const peerTls = await issue(tlsCa, {
    cn: peerName,
    org: domain,
    notBefore,
    notAfter,
    dnsNames: [peerName, 'peer0', 'localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
  });
  await writePem(join(peerDir, 'tls', 'ca.crt'), tlsCaPem);
  await writePem(join(peerDir, 'tls', 'server.crt'), peerTls.cert.toString('pem'));
  await writePem(join(peerDir, 'tls', 'server.key'), await privatePem(peerTls.keys.privateKey));

  for (const [user, ou] of [
    ['Admin', 'admin'],
    ['User1', 'client'],
  ] as const) {
    const name = `${user}@${domain}`;
    const issued = await issue(ca, { cn: name, ou, org: domain, notBefore, notAfter });
    await writeMsp(join(base, 'users', name, 'msp'), name, issued, caPem, tlsCaPem);
    await writePem(join(base, 'users', name, 'tls', 'ca.crt'), tlsCaPem);
  }
  // Written last: its presence says the organisation is complete (a crash above regenerates it all).
  await writePem(join(base, 'msp', 'config.yaml'), nodeOuConfig(`cacerts/ca.${domain}-cert.pem`));
}

async function loadOrganization(base: string, spec: OrganizationSpec): Promise<OrganizationMaterial> {
  const { domain } = spec;
  const peerName = `peer0.${domain}`;
  const peerDir = join(base, 'peers', peerName);
  const user = async (name: string): Promise<UserMaterial> => {
    const msp = join(base, 'users', `${name}@${domain}`, 'msp');
    const certPath = join(msp, 'signcerts', `${name}@${domain}-cert.pem`);
    const keyPath = join(msp, 'keystore', 'priv_sk');
    return { certPath, keyPath, certPem: await readText(certPath), keyPem: await readText(keyPath) };
  };
  return {
    ...spec,
    peerHostAlias: peerName,
    caCertPem: await readText(join(base, 'ca', `ca.${domain}-cert.pem`)),
    tlsCaCertPem: await readText(join(base, 'tlsca', `tlsca.${domain}-cert.pem`)),
    tlsCaCertPath: join(peerDir, 'tls', 'ca.crt'),
    peer: {
      certPem: await readText(join(peerDir, 'msp', 'signcerts', `${peerName}-cert.pem`)),
      keyPem: await readText(join(peerDir, 'msp', 'keystore', 'priv_sk')),
      tlsCertPem: await readText(join(peerDir, 'tls', 'server.crt')),
      tlsKeyPem: await readText(join(peerDir, 'tls', 'server.key')),
    },
    users: { Admin: await user('Admin'), User1: await user('User1') },
  };
}

interface Issued {
  cert: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

async function selfSignedCa(cn: string, org: string, notBefore: Date, notAfter: Date): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(SIGNING, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: distinguishedName({ cn, org }),
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: SIG_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

interface IssueOptions {
  cn: string;
  org: string;
  ou?: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames?: string[];
  ipAddresses?: string[];
}

async function issue(ca: Issued, opts: IssueOptions): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(SIGNING, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (opts.dnsNames || opts.ipAddresses) {
    extensions.push(
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: distinguishedName(opts),
    issuer: ca.cert.subject,
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: SIG_ALG,
    extensions,
  });
  return { cert, keys };
}

async function writeMsp(dir: string, name: string, id: Issued, caPem: string, tlsCaPem: string): Promise<void> {
  await writePem(join(dir, 'signcerts', `${name}-cert.pem`), id.cert.toString('pem'));
  await writePem(join(dir, 'keystore', 'priv_sk'), await privatePem(id.keys.privateKey));
  await writePem(join(dir, 'cacerts', 'ca-cert.pem'), caPem);
  await writePem(join(dir, 'tlscacerts', 'tlsca-cert.pem'), tlsCaPem);
  // A local MSP classifies its own identities by NodeOU, as cryptogen's do: a real peer or orderer
  // only lets an identity whose OU is `admin` join channels or install chaincode.
  await writePem(join(dir, 'config.yaml'), nodeOuConfig('cacerts/ca-cert.pem'));
}

/** An orderer organisation: its channel MSP, and each orderer's local MSP and TLS pair. */
export interface OrdererOrganizationMaterial extends OrganizationSpec {
  /** `ordererOrganizations/<domain>/msp`: what the channel configuration names. */
  mspDir: string;
  tlsCaCertPath: string;
  orderers: { name: string; mspDir: string; tlsCertPath: string; tlsKeyPath: string }[];
}

/**
 * The orderer organisation of a real network, laid out as cryptogen lays it out
 * (`<root>/ordererOrganizations/<domain>/orderers/ordererN.<domain>/{msp,tls}`), with the same
 * generator as the peer organisations, so one code path makes every identity of both ledgers.
 */
export async function ensureOrdererOrganizationMaterial(
  root: string,
  spec: OrganizationSpec & { orderers: number },
  now: Date = new Date(),
): Promise<OrdererOrganizationMaterial> {
  const { domain } = spec;
  const base = join(root, 'ordererOrganizations', domain);
  const names = Array.from({ length: spec.orderers }, (_, i) => `orderer${i}.${domain}`);
  if (!(await exists(join(base, 'msp', 'config.yaml')))) {
    const { notBefore, notAfter, ca, tlsCa, caPem, tlsCaPem } = await organizationRoots(domain, now);
    await writePem(join(base, 'msp', 'cacerts', `ca.${domain}-cert.pem`), caPem);
    await writePem(join(base, 'msp', 'tlscacerts', `tlsca.${domain}-cert.pem`), tlsCaPem);
    for (const name of names) {
      const dir = join(base, 'orderers', name);
      await writeMsp(join(dir, 'msp'), name, await issue(ca, { cn: name, ou: 'orderer', org: domain, notBefore, notAfter }), caPem, tlsCaPem);
      // Raft nodes authenticate each other with these, so they serve and present (client auth) alike.
      const tls = await issue(tlsCa, { cn: name, org: domain, notBefore, notAfter, dnsNames: [name, 'localhost'], ipAddresses: ['127.0.0.1', '::1'] });
      await writePem(join(dir, 'tls', 'ca.crt'), tlsCaPem);
      await writePem(join(dir, 'tls', 'server.crt'), tls.cert.toString('pem'));
      await writePem(join(dir, 'tls', 'server.key'), await privatePem(tls.keys.privateKey));
    }
    const admin = `Admin@${domain}`;
    await writeMsp(join(base, 'users', admin, 'msp'), admin, await issue(ca, { cn: admin, ou: 'admin', org: domain, notBefore, notAfter }), caPem, tlsCaPem);
    await writePem(join(base, 'msp', 'config.yaml'), nodeOuConfig(`cacerts/ca.${domain}-cert.pem`));
  }
  return {
    ...spec,
    mspDir: join(base, 'msp'),
    tlsCaCertPath: join(base, 'msp', 'tlscacerts', `tlsca.${domain}-cert.pem`),
    orderers: names.map((name) => {
      const dir = join(base, 'orderers', name);
      return { name, mspDir: join(dir, 'msp'), tlsCertPath: join(dir, 'tls', 'server.crt'), tlsKeyPath: join(dir, 'tls', 'server.key') };
    }),
  };
}

function distinguishedName(opts: { cn: string; org: string; ou?: string }): string {
  const ou = opts.ou ? `, OU=${opts.ou}` : '';
  return `C=VN, ST=Ha Noi, L=Ha Noi, O=${opts.org}${ou}, CN=${opts.cn}`;
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // a positive INTEGER
  return Buffer.from(bytes).toString('hex');
}

async function privatePem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

function nodeOuConfig(ca: string): string {
  return [
    'NodeOUs:',
    '  Enable: true',
    ...['client', 'peer', 'admin', 'orderer'].flatMap((ou) => [
      `  ${ou[0]!.toUpperCase()}${ou.slice(1)}OUIdentifier:`,
      `    Certificate: ${ca}`,
      `    OrganizationalUnitIdentifier: ${ou}`,
    ]),
    '',
  ].join('\n');
}

async function writePem(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text.endsWith('\n') ? text : text + '\n', { mode: 0o600 });
}

async function readText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
