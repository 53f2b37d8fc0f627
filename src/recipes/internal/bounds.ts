/**
 * The bounds of a recipe's wait: an AbortSignal and a deadline on `zk.now()`, for the recipes that wait
 * outside the contention engine (SimpleLock, Semaphore, Barrier, DoubleBarrier). Inside a recipe a
 * cancelled wait throws `Cancelled`; the recipe cleans up and turns it into the caller's error with
 * `cancellation()`: the signal's reason, or the recipe's timeout error.
 */
import { type ErrorCodeName, type ZooKeeper, ZooKeeperError, isRetryable, isTerminal } from '../../index.js';
import { waitConnected } from './session-waits.js';

export interface Bounds {
  signal?: AbortSignal | undefined;
  /** Absolute deadline on zk.now(), or undefined for none. */
  deadline?: number | undefined;
}

/** The signal aborted or the deadline passed (internal; never reaches the caller). */
export class Cancelled extends Error {}

/** The absolute deadline `timeout` ms from now, or undefined without a timeout. */
export function deadlineIn(zk: ZooKeeper, timeout: number | undefined): number | undefined {
  return timeout === undefined ? undefined : zk.now() + timeout;
}

/** Throws Cancelled once the signal has aborted or the deadline has passed. */
export function checkBounds(zk: ZooKeeper, b: Bounds): void {
  if (b.signal?.aborted || (b.deadline !== undefined && zk.now() >= b.deadline)) throw new Cancelled();
}

/** The error a cancelled wait rejects with: the signal's reason when it aborted, otherwise `onTimeout()`. */
export function cancellation(b: Bounds, onTimeout: () => Error): Error {
  if (b.signal?.aborted) {
    const reason: unknown = b.signal.reason;
    return reason instanceof Error ? reason : new ZooKeeperError(`aborted: ${String(reason)}`, 'UNKNOWN', 0, { cause: reason });
  }
  return onTimeout();
}

/** ms left before the deadline, capped at 1 s (the longest single wait for a reconnect). */
export function remaining(zk: ZooKeeper, b: Bounds): number {
  return b.deadline === undefined ? 1000 : Math.max(0, Math.min(1000, b.deadline - zk.now()));
}

/**
 * `promise`'s outcome, or a Cancelled rejection as soon as the signal aborts or the deadline passes,
 * whichever comes first: a request queued while disconnected must not hold a wait past its bounds.
 * The promise is always observed, so a rejection after a cancel is never unhandled.
 */
export function within<T>(zk: ZooKeeper, b: Bounds, promise: Promise<T>): Promise<T> {
  if (b.signal === undefined && b.deadline === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (fn: () => void): void => {
      if (timer !== undefined) clearTimeout(timer);
      b.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => finish(() => reject(new Cancelled()));
    promise.then(
      (value) => finish(() => resolve(value)),
      (err: unknown) => finish(() => reject(err)),
    );
    if (b.signal?.aborted || (b.deadline !== undefined && zk.now() >= b.deadline)) {
      onAbort();
      return;
    }
    b.signal?.addEventListener('abort', onAbort, { once: true });
    if (b.deadline !== undefined) timer = setTimeout(onAbort, Math.max(0, b.deadline - zk.now()));
  });
}

/**
 * Runs `fn`; after a connection loss waits for the reconnect and runs it again. Both the call and the
 * wait end as soon as the bounds do (a request queued while disconnected must not hold a wait past them).
 */
export async function retrying<T>(zk: ZooKeeper, b: Bounds, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    checkBounds(zk, b);
    try {
      return await within(zk, b, fn());
    } catch (err) {
      if (!isRetryable(err)) throw err;
      await within(zk, b, waitConnected(zk, remaining(zk, b)));
    }
  }
}

/** True when the session is over: nothing on this client can succeed again. */
export function sessionOver(zk: ZooKeeper): boolean {
  return isTerminal(zk.state);
}

export function isCode(err: unknown, code: ErrorCodeName): boolean {
  return err instanceof ZooKeeperError && err.code === code;
}

/** The parent of a node path ('/' for a top-level node). */
export function parentOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}
