/** Calls to the Node-side fault control server (fault-control.ts) from tests inside workerd. */
import { inject } from 'vitest';
import { scaled } from '../../support/zookeeper/timing.js';

export async function control(path: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${inject('faultControl')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`fault control ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** A loopback port nobody listens on. */
export async function freePort(): Promise<number> {
  return Number((await control('/free-port')).port);
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

/** Resolves with `promise`'s value, or rejects if it has not settled within `ms` (scaled). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${scaled(ms)} ms waiting for ${what}`)), scaled(ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
