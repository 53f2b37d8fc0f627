/**
 * Builders for `multi` (create, delete, setData, check) and `multiRead` (getData, getChildren) ops.
 * Paths are client paths; the client applies the chroot and validates them when the multi is sent.
 */
import type { ACL } from '../protocol/records/data.js';

/** Node data: bytes, a string (sent as UTF-8), or null / undefined for none. */
export type Data = Uint8Array | string | null | undefined;

/** Options of `create`, `createWithStat` and `op.create`. */
export interface CreateOptions {
  /** A CreateMode value (default PERSISTENT). */
  mode?: number | undefined;
  /** Default: OPEN_ACL_UNSAFE. */
  acl?: readonly ACL[] | undefined;
  /** ms, for the TTL modes only: 1 .. 2^40 - 1. */
  ttl?: number | bigint | undefined;
}

/** One write of a `multi`; build it with `op`. */
export type WriteOp =
  | { type: 'create'; path: string; data: Data; options: CreateOptions }
  | { type: 'delete'; path: string; version: number }
  | { type: 'setData'; path: string; data: Data; version: number }
  | { type: 'check'; path: string; version: number };

/** One read of a `multiRead`; build it with `op`. */
export type ReadOp = { type: 'getData'; path: string } | { type: 'getChildren'; path: string };

/**
 * Builders for the ops of `multi` (create, delete, setData, check) and `multiRead` (getData, getChildren).
 * Nothing is validated until the multi is sent: a bad path then rejects the whole multi with InvalidArgumentError.
 *
 * @example
 * ```ts
 * await zk.multi([
 *   op.check('/config', 3),                        // only if /config is still at version 3
 *   op.setData('/config', 'v4', 3),
 *   op.create('/config/history-', 'v4', { mode: CreateMode.PERSISTENT_SEQUENTIAL }),
 * ]);
 * ```
 */
export const op = {
  /** A create, as `zk.create(path, data, options)`. */
  create(path: string, data?: Data, options: CreateOptions = {}): WriteOp {
    return { type: 'create', path, data, options };
  },
  /** version -1 (the default) deletes whatever the version. */
  delete(path: string, version = -1): WriteOp {
    return { type: 'delete', path, version };
  },
  /** A setData; version -1 (the default) matches any version. */
  setData(path: string, data: Data, version = -1): WriteOp {
    return { type: 'setData', path, data, version };
  },
  /** Fails the transaction unless the node exists (version -1) or has exactly this version. */
  check(path: string, version = -1): WriteOp {
    return { type: 'check', path, version };
  },
  /** A getData, for `multiRead`. */
  getData(path: string): ReadOp {
    return { type: 'getData', path };
  },
  /** A getChildren, for `multiRead`. */
  getChildren(path: string): ReadOp {
    return { type: 'getChildren', path };
  },
} as const;
