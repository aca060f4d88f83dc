/**
 * Chaincode messages that cross the worker boundary together: one ArrayBuffer of length-prefixed
 * messages, transferred rather than copied, instead of an array of buffers for structured clone
 * to walk and copy one by one.
 */
export function packMessages(messages: readonly Uint8Array[]): ArrayBuffer {
  let size = 0;
  for (const m of messages) size += 4 + m.length;
  const buffer = new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  let offset = 0;
  for (const m of messages) {
    view.setUint32(offset, m.length);
    bytes.set(m, offset + 4);
    offset += 4 + m.length;
  }
  return buffer;
}

export function unpackMessages(buffer: ArrayBuffer): Uint8Array[] {
  const view = new DataView(buffer);
  const out: Uint8Array[] = [];
  for (let offset = 0; offset + 4 <= buffer.byteLength;) {
    const length = view.getUint32(offset);
    out.push(new Uint8Array(buffer, offset + 4, length));
    offset += 4 + length;
  }
  return out;
}
