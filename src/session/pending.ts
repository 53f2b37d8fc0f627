/** One request on its way through the pipeline: queued (encoded, unsent), then in flight, then settled. */
import { type ZooKeeperError, errorFromCode } from '../errors.js';
import type { RequestOp } from '../protocol/requests.js';
import type { AuthCredential } from './options.js';
import type { WatchKind, Watcher } from './watches.js';

/** A watch to register when the reply arrives, depending on its error code (ZooKeeper's WatchManager rules). */
export interface WatchRegistration {
  /** Server path. */
  path: string;
  watcher: Watcher;
  /** exists: `data` on success, `exist` on NONODE; others register only on success. */
  kind: WatchKind | 'existsAware';
}

export interface PendingRequest {
  readonly xid: number;
  readonly op: RequestOp;
  /** The encoded frame until it is written; dropped afterwards so in-flight requests hold little memory. */
  frame: Uint8Array | undefined;
  readonly size: number;
  /** Client path, for error messages. */
  readonly path: string | undefined;
  readonly watch: WatchRegistration | undefined;
  /** Monotonic ms after which the request fails with RequestTimeoutError. */
  readonly deadline: number;
  /** Monotonic ms when it was written; the lease is built on the send time of answered requests. */
  sentAt: number;
  /** SessionValidity.applied when it was written: what this request proves if it is a write answered OK. */
  applied: number;
  /** An addAuth call: its credential (its reply is matched apart from the FIFO, see pipeline.ts). */
  readonly credential?: AuthCredential | undefined;
  /** Settled already (timed out while in flight): its reply is still matched, then ignored. */
  settled: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** The one place a PendingRequest is built: what is not given takes the value of a request not sent yet. */
export function pendingRequest(
  fields: Pick<PendingRequest, 'xid' | 'op'> & Partial<Omit<PendingRequest, 'xid' | 'op' | 'size'>> & { frame?: Uint8Array },
): PendingRequest {
  return {
    xid: fields.xid,
    op: fields.op,
    frame: fields.frame,
    size: fields.frame?.length ?? 0,
    path: fields.path,
    watch: fields.watch,
    deadline: fields.deadline ?? Number.POSITIVE_INFINITY,
    sentAt: fields.sentAt ?? 0,
    applied: fields.applied ?? Number.NEGATIVE_INFINITY,
    credential: fields.credential,
    settled: fields.settled ?? false,
    resolve: fields.resolve ?? (() => {}),
    reject: fields.reject ?? (() => {}),
  };
}

/** Settles a request once: with its body, the server's error, or `failure`. */
export function settle(p: PendingRequest | undefined, err: number, body: unknown, failure?: Error): void {
  if (p === undefined || p.settled) return;
  p.settled = true;
  if (failure !== undefined) p.reject(failure);
  else if (err !== 0) p.reject(replyError(err, p.path));
  else p.resolve(body);
}

/**
 * errorFromCode for a server's error reply, built without capturing a stack trace: it is made while
 * decoding a socket frame, so its frames would name only this reader and Node's stream internals, never
 * the caller, and capturing them is most of an error's cost (a lock waiter whose predecessor is already
 * gone gets NONODE on most hand-offs). Message, code, class and path are errorFromCode's.
 */
function replyError(errno: number, path: string | undefined): ZooKeeperError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return errorFromCode(errno, path);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
