/**
 * Builders for `multi` (create, delete, setData, check) and `multiRead` (getData, getChildren) ops.
 * Paths are client paths; the client applies the chroot and validates them when the multi is sent.
 */
import type { ACL } from '../protocol/records/data.js';

export type Data = Uint8Array | string | null | undefined;

export interface CreateOptions {
  /** A CreateMode value (default PERSISTENT). */
  mode?: number | undefined;
  /** Default: OPEN_ACL_UNSAFE. */
  acl?: readonly ACL[] | undefined;
  /** ms, for the TTL modes only: 1 .. 2^40 - 1. */
  ttl?: number | bigint | undefined;
}

export type WriteOp =
  | { type: 'create'; path: string; data: Data; options: CreateOptions }
  | { type: 'delete'; path: string; version: number }
  | { type: 'setData'; path: string; data: Data; version: number }
  | { type: 'check'; path: string; version: number };

export type ReadOp = { type: 'getData'; path: string } | { type: 'getChildren'; path: string };

export const op = {
  create(path: string, data?: Data, options: CreateOptions = {}): WriteOp {
    return { type: 'create', path, data, options };
  },
  /** version -1 (the default) deletes whatever the version. */
  delete(path: string, version = -1): WriteOp {
    return { type: 'delete', path, version };
  },
  setData(path: string, data: Data, version = -1): WriteOp {
    return { type: 'setData', path, data, version };
  },
  /** Fails the transaction unless the node exists (version -1) or has exactly this version. */
  check(path: string, version = -1): WriteOp {
    return { type: 'check', path, version };
  },
  getData(path: string): ReadOp {
    return { type: 'getData', path };
  },
  getChildren(path: string): ReadOp {
    return { type: 'getChildren', path };
  },
} as const;
