/**
 * The client's option and result types, the argument checks its verbs share, and the mapping of multi
 * and multiRead results to what callers get.
 */
import { InvalidArgumentError, type ZooKeeperError, errorFromCode } from '../errors.js';
import type { Stat } from '../protocol/records/data.js';
import type { MultiResult } from '../protocol/records/multi.js';
import type { Data, ReadOp, WriteOp } from './op.js';

const encoder = new TextEncoder();

/** Options of the versioned writes (`delete`, `setData`, `setACL`, `op.check`). */
export interface VersionOptions {
  /** Expected version; -1 (default) matches any. */
  version?: number | undefined;
}

/** Asks a read to leave a one-shot watch; the result then also carries `watch`, a promise of the next event. */
export interface WatchOption {
  watch: true;
}

/** What `getData` resolves with. */
export interface DataResult {
  /** A view of the received frame (zkts never reuses it); null when the node holds null data. */
  data: Uint8Array | null;
  stat: Stat;
}

/** The outcome of one op of a successful multi. */
export type WriteResult =
  { type: 'create'; path: string; stat?: Stat | undefined } | { type: 'delete' } | { type: 'setData'; stat: Stat } | { type: 'check' };

/** The outcome of one op of a multiRead: each op succeeds or fails on its own. */
export type ReadResult =
  | { type: 'getData'; data: Uint8Array | null; stat: Stat }
  | { type: 'getChildren'; children: string[] }
  | { type: 'error'; error: ZooKeeperError };

/**
 * The error a failed multi rejects with: the first failing op's error (NoNodeError, BadVersionError,
 * ...), with the op's index and every op's error code (0 before it, RUNTIMEINCONSISTENCY after it).
 */
export type MultiError = ZooKeeperError & { opIndex: number; opErrors: number[] };

/** True when `error` is the error of a failed `multi` (it carries `opIndex` and `opErrors`). */
export function isMultiError(error: unknown): error is MultiError {
  return typeof error === 'object' && error !== null && 'opIndex' in error && 'opErrors' in error;
}

/** The watch types `removeWatches` takes. */
export type WatchTypeName = 'children' | 'data' | 'any' | 'persistent' | 'persistentRecursive';

export function toBytes(data: Data): Uint8Array | null {
  if (data === undefined || data === null) return null;
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new InvalidArgumentError('data must be a Uint8Array, a string, null or undefined');
}

export function checkVersion(version: number | undefined): number {
  const v = version ?? -1;
  if (!Number.isInteger(v) || v < -1 || v > 0x7fffffff) throw new InvalidArgumentError(`bad version ${version}`);
  return v;
}

/** What a caller passed where the types allow nothing else (plain JavaScript callers can). */
export function notAn(what: string, value: never): never {
  throw new InvalidArgumentError(`not a ${what}: ${JSON.stringify(value)}`);
}

/** A multi's results for the caller (paths outside the chroot stripped), or its MultiError. */
export function writeResults(
  writeOps: readonly WriteOp[],
  results: MultiResult[],
  clientPath: (serverPath: string) => string,
): WriteResult[] {
  const failed = results.findIndex((r) => r.op === 'error' && r.err !== 0);
  if (failed !== -1) {
    const opErrors = results.map((r) => (r.op === 'error' ? r.err : 0));
    const err: MultiError = Object.assign(errorFromCode(opErrors[failed]!, writeOps[failed]?.path), { opIndex: failed, opErrors });
    throw err;
  }
  return results.map((r): WriteResult => {
    switch (r.op) {
      case 'create':
        return { type: 'create', path: clientPath(r.path) };
      case 'create2':
        return { type: 'create', path: clientPath(r.path), stat: r.stat };
      case 'delete':
        return { type: 'delete' };
      case 'setData':
        return { type: 'setData', stat: r.stat };
      case 'check':
        return { type: 'check' };
      default:
        throw new InvalidArgumentError(`unexpected multi result ${r.op}`);
    }
  });
}

/** A multiRead's results: each op's data, children or error. */
export function readResults(readOps: readonly ReadOp[], results: MultiResult[]): ReadResult[] {
  return results.map((r, i): ReadResult => {
    switch (r.op) {
      case 'getData':
        return { type: 'getData', data: r.data, stat: r.stat };
      case 'getChildren':
        return { type: 'getChildren', children: r.children ?? [] };
      case 'error':
        return { type: 'error', error: errorFromCode(r.err, readOps[i]?.path) };
      default:
        throw new InvalidArgumentError(`unexpected multiRead result ${r.op}`);
    }
  });
}
