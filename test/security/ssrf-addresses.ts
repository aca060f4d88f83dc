/**
 * Webhook urls that must never be accepted: every blocked range in plain and in disguised forms
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo, site-local, discard, alternative IPv4
 * spellings the URL parser normalises), over https so only the address is at fault.
 */
export const SSRF_URLS = [
  'https://127.0.0.1/', 'https://127.1/', 'https://2130706433/', 'https://0x7f000001/', 'https://0177.0.0.1/',
  'https://0.0.0.0/', 'https://10.0.0.1/', 'https://172.16.0.1/', 'https://192.168.1.1/', 'https://100.64.0.1/',
  'https://169.254.169.254/latest/meta-data/', 'https://192.0.0.8/', 'https://198.18.0.1/', 'https://224.0.0.1/', 'https://240.0.0.1/', 'https://255.255.255.255/',
  'https://192.0.2.1/', 'https://198.51.100.1/', 'https://203.0.113.1/',
  'https://[::1]/', 'https://[::]/', 'https://[fe80::1]/', 'https://[fc00::1]/', 'https://[fd12:3456::1]/', 'https://[ff02::1]/',
  'https://[::ffff:169.254.169.254]/', 'https://[::ffff:127.0.0.1]/', 'https://[::ffff:0.0.0.0]/', 'https://[::ffff:10.0.0.1]/', 'https://[::ffff:a9fe:a9fe]/',
  'https://[::127.0.0.1]/', 'https://[::169.254.169.254]/',
  'https://[64:ff9b::a9fe:a9fe]/', 'https://[64:ff9b::127.0.0.1]/', 'https://[64:ff9b:1::a00:1]/',
  'https://[2002:7f00:1::]/', 'https://[2002:a9fe:a9fe::1]/', 'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
  'https://[fec0::1]/', 'https://[100::1]/', 'https://[2001:db8::1]/', 'https://[::ffff:7f00:1]/',
  'https://localhost.localdomain.invalid/', 'http://example.com/', 'ftp://example.com/', 'file:///etc/passwd',
];

/** Raw addresses the classifier must refuse (what a resolver or a socket could hand back). */
export const BLOCKED_ADDRESSES = [
  '127.0.0.1', '127.255.255.254', '0.0.0.0', '10.1.2.3', '172.31.255.255', '192.168.0.1', '100.127.255.255', '169.254.169.254',
  '192.0.0.1', '198.19.255.255', '224.0.0.251', '239.255.255.250', '240.0.0.1', '255.255.255.255', '192.0.2.55', '198.51.100.7', '203.0.113.9',
  '::1', '::', 'fe80::1', 'fc00::1', 'fdff::1', 'ff02::1', 'fec0::1', 'feff::1', '100::1', '2001:db8::1', '2001::1', '2002:7f00:1::', '64:ff9b::a9fe:a9fe', '64:ff9b:1::1',
  '::ffff:169.254.169.254', '::ffff:127.0.0.1', '::ffff:0.0.0.0', '::ffff:8.8.8.8', '::127.0.0.1', '::8.8.8.8', '3fff::1', '5f00::1',
  'not-an-address', '', '1.2.3', '[::1]',
];

/** Public addresses a webhook may reach. */
export const PUBLIC_ADDRESSES = ['8.8.8.8', '1.1.1.1', '203.0.114.1', '2606:4700:4700::1111', '2001:4860:4860::8888', '2a00:1450:4001::1'];
