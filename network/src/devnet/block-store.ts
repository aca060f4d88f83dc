import { mkdir, open, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { DevnetError } from './errors.js';

const RECORD_HEADER = 8; // u32 length, u32 CRC-32 over the length bytes and the block bytes
export const BLOCK_FILE = 'blocks.bin';

export interface BlockRecord {
  number: number;
  offset: number;
  bytes: Buffer;
  checksumOk: boolean;
}

export interface ScanResult {
  /** End of the last whole record. */
  end: number;
  /** Bytes after it that do not make a whole record: a write torn by a crash (or tampering). */
  trailingBytes: number;
}

/**
 * Reads the block file's records in order, calling `onRecord` for each whole one (its checksum
 * checked or not). A last record whose checksum fails counts as trailing bytes, not as a block.
 */
export async function scanBlockFile(
  file: FileHandle,
  onRecord: (record: BlockRecord) => void | Promise<void>,
  maxBlocks = Number.POSITIVE_INFINITY,
): Promise<ScanResult> {
  const { size } = await file.stat();
  const header = Buffer.alloc(RECORD_HEADER);
  let pos = 0;
  let number = 0;
  while (pos + RECORD_HEADER <= size && number < maxBlocks) {
    await file.read(header, 0, RECORD_HEADER, pos);
    const length = header.readUInt32BE(0);
    const end = pos + RECORD_HEADER + length;
    // A block is never empty: a zero length is a zero-filled tail, not a record.
    if (length === 0 || end > size) break;
    const bytes = Buffer.alloc(length);
    await file.read(bytes, 0, length, pos + RECORD_HEADER);
    const checksumOk = recordChecksum(header.subarray(0, 4), bytes) === header.readUInt32BE(4);
    if (!checksumOk && end === size) break;
    await onRecord({ number: number++, offset: pos, bytes, checksumOk });
    pos = end;
  }
  return { end: pos, trailingBytes: number < maxBlocks ? size - pos : 0 };
}

function recordChecksum(lengthBytes: Uint8Array, block: Uint8Array): number {
  return crc32(block, crc32(lengthBytes));
}

export interface OpenedBlockStore {
  store: BlockStore;
  /** Bytes cut off the end because the last record was torn by a crash. */
  discardedBytes: number;
  /** Where those bytes were kept, for inspection, when there were any. */
  discardedTo?: string;
}

/**
 * The chain's blocks, appended to one file as length- and checksum-framed `common.Block` bytes.
 * `append` returns only after the data is on disk (fdatasync), so a committed block survives
 * `kill -9` and power loss. A record torn by a crash can only be the last one; `open` cuts it off.
 * A bad record anywhere else is corruption, and `open` refuses to start on it.
 */
export class BlockStore {
  private constructor(
    private readonly file: FileHandle,
    private readonly offsets: number[],
    private size: number,
  ) {}

  /** Opens (or creates) the store, handing each stored block to `onBlock` in order. */
  static async open(dir: string, onBlock: (number: number, bytes: Buffer) => void = () => {}, fileName: string = BLOCK_FILE): Promise<OpenedBlockStore> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, fileName);
    const file = await open(path, 'a+');
    const offsets: number[] = [];
    try {
      const { size } = await file.stat();
      if (size === 0) await syncDirectory(dir); // make the new file's directory entry durable too
      const scan = await scanBlockFile(file, ({ number, offset, bytes, checksumOk }) => {
        if (!checksumOk) {
          throw new DevnetError('corrupt_ledger', `block file ${path} is corrupt at block ${number} (offset ${offset}): checksum mismatch`);
        }
        offsets.push(offset);
        onBlock(number, bytes);
      });
      let discardedTo: string | undefined;
      if (scan.trailingBytes > 0) {
        // Keep what is cut off: if it was a whole block damaged after its commit was reported, it must not vanish silently.
        discardedTo = `${path}.torn-${Date.now()}`;
        const tail = Buffer.alloc(scan.trailingBytes);
        await file.read(tail, 0, tail.length, scan.end);
        await writeFile(discardedTo, tail);
        await file.truncate(scan.end);
        await file.datasync();
      }
      return { store: new BlockStore(file, offsets, scan.end), discardedBytes: scan.trailingBytes, ...(discardedTo ? { discardedTo } : {}) };
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  get height(): number {
    return this.offsets.length;
  }

  /** Appends a block durably. Blocks must be appended in order by one writer. */
  async append(block: Uint8Array): Promise<void> {
    if (block.length === 0) throw new DevnetError('invalid_argument', 'an empty block cannot be stored');
    const header = Buffer.alloc(RECORD_HEADER);
    header.writeUInt32BE(block.length, 0);
    header.writeUInt32BE(recordChecksum(header.subarray(0, 4), block), 4);
    const record = Buffer.concat([header, block]);
    try {
      let written = 0;
      while (written < record.length) {
        const { bytesWritten } = await this.file.write(record, written, record.length - written, this.size + written);
        written += bytesWritten;
      }
      await this.file.datasync();
    } catch (err) {
      await this.file.truncate(this.size).catch(() => {}); // leave no partial record behind
      throw err;
    }
    this.offsets.push(this.size);
    this.size += record.length;
  }

  /** Durably drops every record from `count` on: records written ahead of something that never happened. */
  async truncate(count: number): Promise<void> {
    const end = this.offsets[count];
    if (end === undefined) return;
    await this.file.truncate(end);
    await this.file.datasync();
    this.offsets.length = count;
    this.size = end;
  }

  async read(number: number): Promise<Buffer> {
    const offset = this.offsets[number];
    if (offset === undefined) throw new DevnetError('not_found', `block ${number} does not exist (height ${this.height})`);
    const header = Buffer.alloc(RECORD_HEADER);
    await this.file.read(header, 0, RECORD_HEADER, offset);
    const body = Buffer.alloc(header.readUInt32BE(0));
    await this.file.read(body, 0, body.length, offset + RECORD_HEADER);
    return body;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
