import type { Sql } from '../infra/database.js';
import { loadSubtrees } from './access-log.js';
import type { LogTree, StoredTreeHead, TreeHead, TreeHeadStore } from './log-ports.js';
import type { SubtreeKey } from './merkle.js';

/** The log's tree in Postgres: `log_state`, `log_leaves` and `log_nodes`, as the access log writes them. */
export class PgLogTree implements LogTree {
  constructor(private readonly sql: Sql) {}

  async size(): Promise<number> {
    const [row] = await this.sql<{ size: string }[]>`select size from log_state`;
    return Number(row!.size);
  }

  subtrees(keys: SubtreeKey[]): Promise<Map<string, Buffer>> {
    return loadSubtrees(this.sql, keys);
  }

  async leaves(from: number, limit: number): Promise<{ leafIndex: number; entry: string; leafHash: Buffer }[]> {
    const rows = await this.sql<{ leaf_index: string; entry: string; leaf_hash: Buffer }[]>`
      select leaf_index, entry, leaf_hash from log_leaves where leaf_index >= ${from} order by leaf_index limit ${limit}`;
    return rows.map((r) => ({ leafIndex: Number(r.leaf_index), entry: r.entry, leafHash: r.leaf_hash }));
  }
}

interface TreeHeadRow {
  tree_size: string;
  root_hash: string;
  signed_at: Date;
  key_id: string;
  signature: string;
  anchor_transaction_id: string | null;
  anchor_block: string | null;
}

/** Signed tree heads in `log_tree_heads`. */
export class PgTreeHeads implements TreeHeadStore {
  constructor(private readonly sql: Sql) {}

  async latestSize(): Promise<number | undefined> {
    const [last] = await this.sql<{ tree_size: string }[]>`select tree_size from log_tree_heads order by tree_size desc limit 1`;
    return last ? Number(last.tree_size) : undefined;
  }

  async insert(h: TreeHead): Promise<void> {
    await this.sql`insert into log_tree_heads (tree_size, root_hash, signed_at, key_id, signature)
                   values (${h.treeSize}, ${h.rootHash}, ${h.timestamp}, ${h.keyId}, ${h.signature}) on conflict (tree_size) do nothing`;
  }

  async unanchored(): Promise<TreeHead[]> {
    const rows = await this.sql<TreeHeadRow[]>`select * from log_tree_heads where anchor_transaction_id is null and anchor_error is null order by tree_size`;
    return rows.map(toTreeHead);
  }

  async markAnchored(treeSize: number, anchor: { transactionId: string; blockNumber: number }): Promise<void> {
    await this
      .sql`update log_tree_heads set anchor_transaction_id = ${anchor.transactionId}, anchor_block = ${anchor.blockNumber} where tree_size = ${treeSize}`;
  }

  async markRefused(treeSize: number, error: string): Promise<void> {
    await this.sql`update log_tree_heads set anchor_error = ${error} where tree_size = ${treeSize}`;
  }

  async latest(): Promise<StoredTreeHead | undefined> {
    const [row] = await this.sql<TreeHeadRow[]>`select * from log_tree_heads order by tree_size desc limit 1`;
    return row ? toStored(row) : undefined;
  }

  async page(limit: number, beforeSize?: number): Promise<StoredTreeHead[]> {
    const rows = await this.sql<TreeHeadRow[]>`select * from log_tree_heads ${beforeSize !== undefined ? this.sql`where tree_size < ${beforeSize}` : this.sql``}
                                               order by tree_size desc limit ${limit}`;
    return rows.map(toStored);
  }
}

function toTreeHead(row: TreeHeadRow): TreeHead {
  return { treeSize: Number(row.tree_size), rootHash: row.root_hash, timestamp: row.signed_at.toISOString(), keyId: row.key_id, signature: row.signature };
}

function toStored(row: TreeHeadRow): StoredTreeHead {
  return {
    ...toTreeHead(row),
    anchor: row.anchor_transaction_id ? { transactionId: row.anchor_transaction_id, blockNumber: Number(row.anchor_block) } : null,
  };
}
