// The few ASN.1 DER shapes Fabric hashes and signs: INTEGER, OCTET STRING, SEQUENCE.

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function derTlv(tag: number, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

export function derInteger(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return derTlv(0x02, bytes);
}

export function derOctetString(b: Uint8Array): Buffer {
  return derTlv(0x04, b);
}

export function derSequence(items: Buffer[]): Buffer {
  return derTlv(0x30, Buffer.concat(items));
}

/** An ECDSA signature's SEQUENCE { INTEGER r, INTEGER s }, with short-form lengths (P-256/P-384 signatures fit). */
export function decodeDerSignature(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  if (der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  let offset = 2;
  const readInt = (): bigint | undefined => {
    if (der[offset] !== 0x02) return undefined;
    const len = der[offset + 1];
    if (len === undefined || len === 0 || offset + 2 + len > der.length) return undefined;
    const bytes = der.subarray(offset + 2, offset + 2 + len);
    offset += 2 + len;
    return BigInt('0x' + Buffer.from(bytes).toString('hex'));
  };
  const r = readInt();
  const s = readInt();
  if (r === undefined || s === undefined || offset !== der.length) return undefined;
  return { r, s };
}

export function encodeDerSignature(r: bigint, s: bigint): Buffer {
  return derSequence([derInteger(r), derInteger(s)]);
}
