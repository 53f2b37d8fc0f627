/**
 * The lock service over HTTP, inside workerd (the Worker and its Durable Object from wrangler.jsonc,
 * ZK_CONNECT the harness's ZooKeeper, SESSION_TIMEOUT_MS 4000: see vitest.workers.config.ts), including
 * what happens when the Durable Object is restarted (its session ends by expiry, the lock node with it, a
 * new acquire gets the lock once that happened, and the old lease is reported lost) or evicted (workerd
 * does not evict it while the session's socket is open; once the keep-alive alarm has closed the idle
 * session, it does, and the next request opens a new session).
 */
import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../src/lock-service.js';

const SESSION_TIMEOUT = 4000;

interface Acquired {
  token: string;
  fencingToken: string;
  validUntil: number;
  ttlUntil: number;
}

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await exports.default.fetch(`http://locks.test${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function acquire(name: string, options: { timeoutMs?: number; ttlMs?: number } = {}): Promise<Acquired> {
  const { status, body } = await call('POST', `/locks/${name}/acquire`, options);
  expect(status, JSON.stringify(body)).toBe(200);
  return body as unknown as Acquired;
}

function lockName(): string {
  return `lock-${crypto.randomUUID().slice(0, 8)}`;
}

function stub(): DurableObjectStub {
  const locks = (env as Env).LOCKS;
  return locks.get(locks.idFromName('zookeeper-session'));
}

describe('workers lock service', () => {
  it('lock service - acquire returns a fencing token and a validUntil; GET shows the holder; release frees it', async () => {
    const name = lockName();
    const before = Date.now();
    const first = await acquire(name);
    expect(BigInt(first.fencingToken)).toBeGreaterThan(0n);
    expect(first.validUntil).toBeGreaterThan(before);
    expect(first.validUntil).toBeLessThanOrEqual(Date.now() + SESSION_TIMEOUT);
    expect((await call('GET', `/locks/${name}`)).body).toMatchObject({ holder: { fencingToken: first.fencingToken }, queueLength: 0 });
    expect(await call('POST', `/locks/${name}/release`, { token: first.token })).toEqual({ status: 200, body: { released: true } });
    expect((await call('GET', `/locks/${name}`)).body).toEqual({ holder: null, queueLength: 0 });
    // Released once: the token is gone.
    expect((await call('POST', `/locks/${name}/release`, { token: first.token })).status).toBe(404);
  });

  it('lock service - a second acquire waits in the queue, times out with 408, or gets the lock on release with a larger token', async () => {
    const name = lockName();
    const first = await acquire(name);
    expect(await call('POST', `/locks/${name}/acquire`, { timeoutMs: 200 })).toMatchObject({ status: 408, body: { error: 'timeout' } });
    const waiting = acquire(name, { timeoutMs: 20_000 });
    let queued = 0;
    for (let i = 0; i < 100 && queued === 0; i++) {
      queued = Number((await call('GET', `/locks/${name}`)).body['queueLength']);
      if (queued === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(queued).toBe(1);
    await call('POST', `/locks/${name}/release`, { token: first.token });
    const second = await waiting;
    expect(BigInt(second.fencingToken)).toBeGreaterThan(BigInt(first.fencingToken));
    await call('POST', `/locks/${name}/release`, { token: second.token });
  });

  it('lock service - a holder that never releases loses the lock after its TTL, and a late release says so', async () => {
    const name = lockName();
    const first = await acquire(name, { ttlMs: 300 });
    expect(first.validUntil).toBeLessThanOrEqual(first.ttlUntil);
    const second = await acquire(name, { timeoutMs: 10_000 });
    expect(await call('POST', `/locks/${name}/release`, { token: first.token })).toEqual({
      status: 409,
      body: { released: false, lost: true, reason: 'ttl-expired' },
    });
    await call('POST', `/locks/${name}/release`, { token: second.token });
  });

  it('lock service - restarted: the session ends by expiry, a new acquire then gets the lock, the old lease is reported lost', async () => {
    const name = lockName();
    const old = await acquire(name);
    // What a deploy, a host move or a crash does: every instance goes, durable storage stays.
    await abortAllDurableObjects();
    const started = Date.now();
    // A new instance, a new session: it queues behind the old session's node until ZooKeeper expires it.
    const fresh = await acquire(name, { timeoutMs: SESSION_TIMEOUT * 4 });
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThan(SESSION_TIMEOUT / 2);
    expect(waited).toBeLessThan(SESSION_TIMEOUT * 3);
    expect(BigInt(fresh.fencingToken)).toBeGreaterThan(BigInt(old.fencingToken));
    expect(await call('POST', `/locks/${name}/release`, { token: old.token })).toEqual({
      status: 409,
      body: { released: false, lost: true, reason: 'session-ended' },
    });
    expect((await call('GET', `/locks/${name}`)).body).toMatchObject({ holder: { fencingToken: fresh.fencingToken }, queueLength: 0 });
    expect(await call('POST', `/locks/${name}/release`, { token: fresh.token })).toEqual({ status: 200, body: { released: true } });
  });

  it('lock service - evicted: not while the session is open; once the keep-alive alarm closed it, eviction goes through and a new session serves', async () => {
    const name = lockName();
    const first = await acquire(name);
    let evicted = false;
    const eviction = evictDurableObject(stub()).then(() => {
      evicted = true;
    });
    // The open socket and the session's timers are pending I/O: the runtime does not evict the object.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(evicted).toBe(false);
    await call('POST', `/locks/${name}/release`, { token: first.token });
    // The keep-alive alarm finds nothing held or awaited and closes the session (closeSession: its nodes go at once).
    expect(await runDurableObjectAlarm(stub())).toBe(true);
    await eviction;
    expect(evicted).toBe(true);
    // A new instance opens a new session on the next request; the lock is free at once.
    const started = Date.now();
    const second = await acquire(name, { timeoutMs: 1000 });
    expect(Date.now() - started).toBeLessThan(SESSION_TIMEOUT / 2);
    expect(BigInt(second.fencingToken)).toBeGreaterThan(BigInt(first.fencingToken));
    expect((await call('POST', `/locks/${name}/release`, { token: first.token })).status).toBe(404);
    await call('POST', `/locks/${name}/release`, { token: second.token });
  });
});
