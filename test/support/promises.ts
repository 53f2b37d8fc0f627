/**
 * Promise helpers for every tier: follow a promise without awaiting it, bound a wait, take a rejection.
 * Bounds are given unscaled and scaled here by TIMING_MULTIPLIER.
 */
import { scaled } from './zookeeper/timing.js';
import { waitFor } from './zookeeper/wait.js';

export interface Tracked<T> {
  /** The promise followed, for a later await (its rejection is already handled). */
  readonly promise: Promise<T>;
  readonly settled: boolean;
  readonly value: T | undefined;
  readonly error: unknown;
}

/**
 * Follows a promise without awaiting it, so a test can ask whether it settled yet; marks it handled at
 * once (it may reject before the test awaits `promise`).
 */
export function track<T>(promise: Promise<T>): Tracked<T> {
  const t = { promise, settled: false, value: undefined as T | undefined, error: undefined as unknown };
  promise.then(
    (value) => {
      t.settled = true;
      t.value = value;
    },
    (error: unknown) => {
      t.settled = true;
      t.error = error;
    },
  );
  return t;
}

/** Resolves with `promise`'s value, or rejects if it has not settled within `ms` (scaled). */
export function within<T>(promise: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${scaled(ms)} ms waiting for ${typeof what === 'string' ? what : what()}`));
    }, scaled(ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The error `promise` rejects with; fails the test if it resolves. */
export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/**
 * Polls `probe` every `intervalMs` until it returns true, for at most `ms` (scaled); for state nothing
 * announces (server-side timers such as TTL and containers, a proxy's counters). zookeeper/wait.ts's
 * waitFor with a boolean probe and an unscaled bound.
 */
export async function eventually(probe: () => boolean | Promise<boolean>, ms: number, what: string, intervalMs = 100): Promise<void> {
  await waitFor(async () => ((await probe()) ? true : undefined), { timeoutMs: scaled(ms), intervalMs, what });
}
