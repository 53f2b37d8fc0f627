/**
 * Lease (src/recipes/lease.ts): the lease bound and its movement with pings, the lock-loss signal and each
 * of its reasons, guarded writes, release and `await using`.
 *
 * The safety claim of the bound, checked end to end: a black-holed holder's signal aborts with
 * 'lease-expired' before another client (direct to the server) can acquire the lock once the server has
 * expired the holder's session. Both times are taken in this process on one monotonic clock.
 *
 * Session expiry while connected is produced the way Curator's KillSession does it: a second connection
 * takes over the session with its id and password (read off the holder's own ConnectResponse by a
 * transport tap) and closes it.
 */
import { connect as netConnect } from 'node:net';
import {
  InvalidArgumentError,
  LockLostError,
  NoNodeError,
  type Transport,
  isMultiError,
  nodeTransport,
  op,
} from '../../../src/entry/node.js';
import {
  FrameSplitter,
  Xid,
  decodeConnectResponse,
  decodeReplyHeader,
  encodeConnectRequest,
  encodeRequest,
} from '../../../src/protocol/index.js';
import type { Lease } from '../../../src/recipes/lease.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import { AdminClient, delay, scaled, splitConnectString, waitFor } from '../../support/zookeeper/index.js';
import { describe, expect, test, text } from '../../support/client-fixture.js';
import { SESSION, viaProxy, WAIT_MS } from '../../support/recipes/lock-test-support.js';
import { errorOf, within } from '../../support/promises.js';
import { nextState } from '../../support/states.js';

// ---------------------------------------------------------------- helpers

/** The reason a lease's signal aborted with (waits for the abort). */
async function lost(lease: Lease, ms = 10_000): Promise<LockLostError> {
  const signal = lease.signal;
  if (!signal.aborted) {
    await within(new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })), ms, 'the lease signal');
  }
  const reason: unknown = signal.reason;
  expect(reason).toBeInstanceOf(LockLostError);
  return reason as LockLostError;
}

/** The node transport, keeping the session id and password of the last ConnectResponse it read. */
function credentialTap(): { transport: Transport; credentials(): { sessionId: bigint; passwd: Uint8Array } } {
  let last: { sessionId: bigint; passwd: Uint8Array } | undefined;
  const transport: Transport = {
    async connect(options) {
      const conn = await nodeTransport.connect(options);
      const frames = new FrameSplitter();
      let first = true;
      return {
        start: (sink) =>
          conn.start({
            data(chunk) {
              if (first) {
                const f = frames.push(chunk.slice())[0];
                if (f !== undefined) {
                  first = false;
                  const r = decodeConnectResponse(f);
                  if (r.timeOut > 0 && r.passwd !== null) last = { sessionId: r.sessionId, passwd: r.passwd };
                }
              }
              sink.data(chunk);
            },
            closed: (error) => sink.closed(error),
          }),
        write: (bytes) => conn.write(bytes),
        drained: () => conn.drained(),
        get bufferedAmount() {
          return conn.bufferedAmount;
        },
        close: () => conn.close(),
        remote: conn.remote,
      };
    },
  };
  return {
    transport,
    credentials() {
      if (last === undefined) throw new Error('no session established through this transport');
      return last;
    },
  };
}

/**
 * Curator's KillSession: connects with the session's id and password (the server moves the session to
 * this connection and drops the holder's) and closes it. Resolves once the server answered closeSession.
 */
function killSession(hosts: string, credentials: { sessionId: bigint; passwd: Uint8Array }): Promise<void> {
  const { host, port } = splitConnectString(hosts).hosts[0]!;
  return within(
    new Promise<void>((resolve, reject) => {
      const socket = netConnect({ host, port });
      const frames = new FrameSplitter();
      let connected = false;
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('killer connection closed early')));
      socket.on('connect', () => {
        socket.write(
          encodeConnectRequest({
            protocolVersion: 0,
            lastZxidSeen: 0n,
            timeOut: 4000,
            sessionId: credentials.sessionId,
            passwd: credentials.passwd,
            readOnly: false,
          }),
        );
      });
      socket.on('data', (chunk: Buffer) => {
        for (const f of frames.push(new Uint8Array(chunk))) {
          if (!connected) {
            connected = true;
            if (decodeConnectResponse(f).timeOut <= 0) {
              reject(new Error('the server refused to take over the session'));
              return;
            }
            socket.write(encodeRequest(1, { op: 'closeSession' }));
          } else if (decodeReplyHeader(f).xid === 1) {
            socket.removeAllListeners('close');
            socket.destroy();
            resolve();
          } else if (decodeReplyHeader(f).xid !== Xid.ping) {
            reject(new Error(`unexpected reply xid ${decodeReplyHeader(f).xid}`));
          }
        }
      });
    }),
    10_000,
    'killing the session',
  );
}

// ---------------------------------------------------------------- the bound

describe('lease - bound', () => {
  test("lease - validUntil is the session's proven validity minus the margin (default T/10, at most T/4)", async ({ env }) => {
    const zk = await env.connect(SESSION);
    const lease = await new Mutex(zk, '/lock').acquire();
    const t = zk.sessionTimeout;
    expect(t).toBe(4000);
    expect(lease.validUntil).toBe(zk.sessionValidUntil - Math.floor(t / 10));
    // Proven from a send time in the past, so never more than T ahead; a fresh session is proven at once.
    expect(zk.sessionValidUntil).toBeLessThanOrEqual(zk.now() + t);
    expect(lease.held).toBe(true);
    expect(lease.validUntil).toBeGreaterThan(zk.now());
    const custom = await new Mutex(zk, '/other', { leaseMargin: 100 }).acquire();
    expect(custom.validUntil).toBe(zk.sessionValidUntil - 100);
    await custom.release();
    const tooWide = await errorOf(new Mutex(zk, '/wide', { leaseMargin: t / 4 + 1 }).acquire());
    expect(tooWide).toBeInstanceOf(InvalidArgumentError);
    expect(await zk.getChildren('/wide')).toEqual([]); // the contender node is gone again
    const widest = await new Mutex(zk, '/wide', { leaseMargin: t / 4 }).acquire();
    expect(widest.held).toBe(true);
    await widest.release();
    await lease.release();
  });

  test('lease - held and validUntil move forward with renewals while the lease is held', async ({ env }) => {
    const zk = await env.connect({ sessionTimeout: 2000 });
    const lease = await new Mutex(zk, '/lock').acquire();
    let bound = lease.validUntil;
    // An idle holder's session renews its validity (a sync, then a no-op write) about every 0.3 T: each
    // proof moves the bound on. Three moves outlast the initial bound, so the lease stayed valid only
    // thanks to them.
    const firstBound = bound;
    for (let moves = 0; moves < 3; moves++) {
      const previous = bound;
      bound = await waitFor(() => (lease.validUntil > previous ? lease.validUntil : undefined), {
        timeoutMs: WAIT_MS,
        intervalMs: 20,
        what: `the bound to move past ${previous}`,
      });
      expect(lease.held).toBe(true);
      expect(lease.signal.aborted).toBe(false);
    }
    await waitFor(() => (zk.now() > firstBound ? true : undefined), {
      timeoutMs: WAIT_MS,
      intervalMs: 20,
      what: 'the first bound to pass',
    });
    expect(lease.held).toBe(true);
    expect(lease.signal.aborted).toBe(false);
    await lease.release();
  });

  test('lease - a black-holed holder loses the lease before anyone else can acquire the lock', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk: holderZk } = await viaProxy(env, { sessionTimeout: 2000 });
    const holder = await new Mutex(holderZk, '/lock').acquire();
    const other = await env.connect(SESSION);
    let abortedAt = Number.NaN;
    holder.signal.addEventListener('abort', () => (abortedAt = performance.now()), { once: true });
    let acquiredAt = Number.NaN;
    const otherLease = new Mutex(other, '/lock').acquire().then((l) => {
      acquiredAt = performance.now();
      return l;
    });
    await waitFor(async () => ((await other.getChildren('/lock')).length === 2 ? true : undefined), {
      timeoutMs: WAIT_MS,
      intervalMs: 10,
      what: 'the other client to queue',
    });
    proxy.blackhole(true);
    const reason = await lost(holder, 15_000);
    expect(reason.reason).toBe('lease-expired');
    expect(holder.held).toBe(false);
    const next = await within(otherLease, 20_000, 'the other client to acquire after the server expired the holder');
    expect(abortedAt).toBeLessThan(acquiredAt);
    // The server had to expire the holder's session first: its node is gone, the new holder's token is newer.
    expect(await other.exists(holder.path)).toBeNull();
    expect(next.fencingToken > holder.fencingToken).toBe(true);
    expect(holder.signal.reason).toBe(reason); // later events (the session's end) do not replace the reason
    await next.release();
  });
});

// ---------------------------------------------------------------- reasons

describe('lease - signal reasons', () => {
  test('lease - release aborts the signal with released, deletes the node, and is idempotent', async ({ env }) => {
    const zk = await env.connect(SESSION);
    const lease = await new Mutex(zk, '/lock').acquire();
    expect(await zk.exists(lease.path)).not.toBeNull();
    const first = lease.release();
    expect(lease.signal.aborted).toBe(true);
    expect(lease.held).toBe(false);
    expect(lease.release()).toBe(first);
    await first;
    expect((await lost(lease)).reason).toBe('released');
    expect(await zk.exists(lease.path)).toBeNull();
    await lease.release();
  });

  test('lease - await using releases the lock at the end of the block', async ({ env }) => {
    const zk = await env.connect(SESSION);
    const mutex = new Mutex(zk, '/lock');
    let seenLease: Lease | undefined;
    {
      await using lease = await mutex.acquire();
      seenLease = lease;
      expect(lease.held).toBe(true);
    }
    expect((await lost(seenLease)).reason).toBe('released');
    expect(await zk.exists(seenLease.path)).toBeNull();
    // The lock is free for the next holder at once.
    const again = await mutex.tryAcquire();
    expect(again).not.toBeNull();
    await again!.release();
  });

  test('lease - an admin deleting the lock node of a holder that never waited aborts with node-deleted', async ({ env }) => {
    const zk = await env.connect(SESSION);
    const lease = await new Mutex(zk, '/lock').acquire();
    const admin = await AdminClient.connect(env.chroot.connectString);
    try {
      await admin.delete(lease.path);
    } finally {
      await admin.close();
    }
    const reason = await lost(lease);
    expect(reason.reason).toBe('node-deleted');
    expect(reason.path).toBe(lease.path);
    expect(lease.held).toBe(false);
    await lease.release(); // nothing left to delete: still resolves
  });

  test('lease - an admin deleting the lock node of a holder that waited aborts with node-deleted', async ({ env }) => {
    const first = await env.connect(SESSION);
    const firstLease = await new Mutex(first, '/lock').acquire();
    const zk = await env.connect(SESSION);
    const waiting = new Mutex(zk, '/lock').acquire();
    await waitFor(async () => ((await first.getChildren('/lock')).length === 2 ? true : undefined), {
      timeoutMs: WAIT_MS,
      intervalMs: 10,
      what: 'the second client to queue',
    });
    await firstLease.release();
    const lease = await within(waiting, 10_000, 'the hand-off');
    const admin = await AdminClient.connect(env.chroot.connectString);
    try {
      await admin.delete(lease.path);
    } finally {
      await admin.close();
    }
    expect((await lost(lease)).reason).toBe('node-deleted');
  });

  test('lease - a data change on the lock node re-arms the monitor, a later deletion still aborts', async ({ env }) => {
    const zk = await env.connect(SESSION);
    const lease = await new Mutex(zk, '/lock').acquire();
    const other = await env.connect(SESSION);
    // A child change (a new contender) and a write to our node: neither is a loss.
    const waiting = new Mutex(other, '/lock').acquire({ timeout: scaled(200) });
    await expect(waiting).rejects.toThrow();
    await other.setData(lease.path, 'poke');
    await other.setData(lease.path, 'poke again');
    await zk.getACL('/'); // every notification for the writes above has reached the holder
    expect(lease.signal.aborted).toBe(false);
    await other.delete(lease.path);
    expect((await lost(lease)).reason).toBe('node-deleted');
  });

  test('lease - session expiry aborts the signal with session-ended', async ({ env }) => {
    await env.zk.create('/lock');
    const tap = credentialTap();
    const { proxy, zk } = await viaProxy(env, { ...SESSION, transport: tap.transport });
    const lease = await new Mutex(zk, '/lock').acquire();
    const expired = nextState(zk, ['expired'], 15_000);
    // The holder cannot win the session back while the killer takes it over and closes it.
    proxy.refuse(true);
    await killSession(env.hosts, tap.credentials());
    expect(await env.zk.getChildren('/lock')).toEqual([]); // closing the session removed the lock node
    proxy.refuse(false);
    expect((await expired).state).toBe('expired');
    const reason = await lost(lease);
    expect(reason.reason).toBe('session-ended');
    expect(lease.held).toBe(false);
    await lease.release(); // the session is gone: release resolves without a server
  });

  test('lease - closing the client aborts the signal with session-ended', async ({ env }) => {
    const zk = await env.connect(SESSION);
    const lease = await new Mutex(zk, '/lock').acquire();
    await zk.close();
    expect((await lost(lease)).reason).toBe('session-ended');
    expect(await env.zk.exists(lease.path)).toBeNull();
  });

  test('lease - disconnected longer than disconnectGrace aborts with disconnected; the node outlives it', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env, SESSION);
    const grace = scaled(300);
    const lease = await new Mutex(zk, '/lock', { disconnectGrace: grace }).acquire();
    const down = nextState(zk, ['disconnected', 'connecting'], 15_000);
    proxy.refuse(true);
    proxy.resetAll();
    await down;
    const downAt = zk.now();
    const reason = await lost(lease);
    const abortedAfter = zk.now() - downAt;
    expect(reason.reason).toBe('disconnected');
    expect(abortedAfter).toBeGreaterThanOrEqual(grace - 20);
    // Still well inside the lease bound: the grace decided, not the bound.
    expect(lease.validUntil).toBeGreaterThan(zk.now());
    const up = nextState(zk, ['connected'], 15_000);
    proxy.refuse(false);
    await up;
    // The session survived, and with it the node: 'disconnected' is a doubt, not a loss on the server.
    expect(await zk.exists(lease.path)).not.toBeNull();
    expect(lease.signal.reason).toBe(reason);
    await lease.release();
    expect(await zk.exists(lease.path)).toBeNull();
  });

  test('lease - a disconnect shorter than disconnectGrace does not abort', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env, SESSION);
    const grace = scaled(800);
    const lease = await new Mutex(zk, '/lock', { disconnectGrace: grace }).acquire();
    const up = nextState(zk, ['connected'], 15_000);
    proxy.resetAll();
    await up;
    // No event marks "the grace timer did not fire": wait it out (bounded), then look.
    await delay(grace + scaled(200));
    expect(lease.signal.aborted).toBe(false);
    expect(lease.held).toBe(true);
    await lease.release();
  });

  test('lease - without disconnectGrace a short disconnect keeps the lease, and the bound moves on after it', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env, SESSION);
    const lease = await new Mutex(zk, '/lock').acquire();
    const before = lease.validUntil;
    const up = nextState(zk, ['connected'], 15_000);
    proxy.resetAll();
    await up;
    // The reconnect's REVALIDATE touched the session at the leader; the next renewal write proves it.
    await waitFor(() => (lease.validUntil > before ? true : undefined), {
      timeoutMs: WAIT_MS,
      intervalMs: 10,
      what: 'the bound to move on',
    });
    expect(lease.signal.aborted).toBe(false);
    // The monitor still works after the reconnect.
    await env.zk.delete(lease.path);
    expect((await lost(lease)).reason).toBe('node-deleted');
  });
});

// ---------------------------------------------------------------- guard

describe('lease - guard', () => {
  test('lease - guard commits while held and fails with NoNodeError at op 0 once the node is gone', async ({ env }) => {
    const zk = await env.connect(SESSION);
    await zk.create('/data', 'v0');
    const lease = await new Mutex(zk, '/lock').acquire();
    const results = await lease.guard([op.setData('/data', 'v1'), op.create('/made', 'x')]);
    expect(results.map((r) => r.type)).toEqual(['setData', 'create']);
    expect(text((await zk.getData('/data')).data)).toBe('v1');
    expect(lease.check()).toEqual(op.check(lease.path));

    await env.zk.delete(lease.path); // anyone with delete rights on the parent (an admin, a reaper)
    const err = await errorOf(lease.guard([op.setData('/data', 'v2'), op.delete('/made')]));
    expect(err).toBeInstanceOf(NoNodeError);
    expect(isMultiError(err)).toBe(true);
    if (!isMultiError(err)) throw err;
    expect(err.opIndex).toBe(0);
    expect(err.path).toBe(lease.path);
    // Nothing of the transaction was applied.
    expect(text((await zk.getData('/data')).data)).toBe('v1');
    expect(await zk.exists('/made')).not.toBeNull();
  });

  test('lease - a guarded write from a stale holder fails while the new holder writes', async ({ env }) => {
    const stale = await env.connect(SESSION);
    await stale.create('/data', 'v0');
    const old = await new Mutex(stale, '/lock').acquire();
    // The old holder's node is removed behind its back (its session is still alive) and another takes over.
    const fresh = await env.connect(SESSION);
    await fresh.delete(old.path);
    const lease = await new Mutex(fresh, '/lock').acquire();
    await lease.guard([op.setData('/data', 'new holder')]);
    const err = await errorOf(old.guard([op.setData('/data', 'stale holder')]));
    expect(err).toBeInstanceOf(NoNodeError);
    expect(text((await fresh.getData('/data')).data)).toBe('new holder');
    await lease.release();
  });
});
