/**
 * Requests made while the client has no connection: they wait in call order and go out after the next
 * handshake, or fail with RequestTimeoutError at their deadline and are then never sent. The outage is a
 * FaultProxy that resets every connection attempt; the shared server stays up.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreateMode, RequestTimeoutError, type Stat, type ZooKeeper, connect } from '../../../src/entry/node.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { createChroot, splitConnectString, type TestChroot } from '../../support/zookeeper/index.js';
import { closeAll, settleAll } from '../../support/fault-support.js';
import { nextState } from '../../support/states.js';
import { track } from '../../support/promises.js';

let chroot: TestChroot;
let proxy: FaultProxy;

beforeAll(async () => {
  chroot = await createChroot(inject('zkConnect'), 'faults-offline-queue', { superUser: inject('zkHarness') });
  proxy = await FaultProxy.start({ target: splitConnectString(inject('zkConnect')).hosts[0]! });
});

afterAll(async () => {
  await proxy?.close();
  await chroot?.cleanup();
});

/** Requests (not ConnectRequests) the proxy has forwarded to the server so far. */
function forwardedRequests(): number {
  let n = 0;
  for (const [key, count] of proxy.requestCounts()) if (key !== 'connect') n += count;
  return n;
}

/** Cuts the client off: its connection is reset and every reconnect attempt is refused until `proxy.refuse(false)`. */
async function outage(zk: ZooKeeper): Promise<void> {
  const down = nextState(zk, ['disconnected'], 5000);
  proxy.refuse(true);
  proxy.resetAll();
  await down;
}

describe('offline queue', () => {
  it('offline queue - requests made during an outage are sent after reconnect, in call order', async () => {
    let zk: ZooKeeper | undefined;
    try {
      // Long enough that backoff between refused attempts cannot run into the client's own expiry.
      zk = await connect(proxy.address + chroot.path, { sessionTimeout: 6000 });
      const sessionId = zk.sessionId;
      await zk.create('/ordered');
      await zk.create('/counter', 'start');
      await outage(zk);
      const forwarded = forwardedRequests();

      // Each setData expects the version the previous one produced, each read the value just written, and
      // sequential names number in send order: any reordering fails a request or breaks the sequence.
      const sequential: Promise<string>[] = [];
      const writes: Promise<Stat>[] = [];
      const reads: Promise<string>[] = [];
      const decode = (data: Uint8Array | null): string => new TextDecoder().decode(data ?? new Uint8Array());
      for (let i = 0; i < 30; i++) {
        sequential.push(track(zk.create('/ordered/n-', `${i}`, { mode: CreateMode.PERSISTENT_SEQUENTIAL })).promise);
        writes.push(track(zk.setData('/counter', `${i}`, { version: i })).promise);
        reads.push(track(zk.getData('/counter').then((r) => decode(r.data))).promise);
      }
      const all = [...sequential, ...writes, ...reads];
      // Nothing leaves while the outage lasts (a refused connection carries no frame).
      expect(forwardedRequests()).toBe(forwarded);
      expect(zk.state).not.toBe('connected');

      const back = nextState(zk, ['connected', 'expired', 'closed'], 10_000);
      proxy.refuse(false);
      expect((await back).state).toBe('connected');
      expect(zk.sessionId).toBe(sessionId);
      const outcomes = await settleAll(all, 10_000);
      expect(outcomes.filter((o) => !o.ok)).toEqual([]);

      const names = await Promise.all(sequential);
      expect([...names].sort()).toEqual(names);
      expect(new Set(names).size).toBe(names.length);
      expect((await Promise.all(writes)).map((s) => s.version)).toEqual(writes.map((_, i) => i + 1));
      expect(await Promise.all(reads)).toEqual(reads.map((_, i) => `${i}`));
      // Each sequential node holds its call index: numbering follows call order.
      const stored = await Promise.all(names.map((n) => zk!.getData(n).then((r) => decode(r.data))));
      expect(stored).toEqual(names.map((_, i) => `${i}`));
    } finally {
      proxy.refuse(false);
      await closeAll([zk]);
    }
  });

  it('offline queue - requests still unsent at their deadline fail with RequestTimeoutError and are never sent', async () => {
    let zk: ZooKeeper | undefined;
    try {
      const requestTimeout = 1000;
      zk = await connect(proxy.address + chroot.path, { sessionTimeout: 6000, requestTimeout });
      const sessionId = zk.sessionId;
      await zk.create('/deadline', 'start');
      await outage(zk);

      const issuedAt = zk.now();
      const late = [
        track<unknown>(zk.create('/deadline/never', 'x')).promise,
        track<unknown>(zk.setData('/deadline', 'changed')).promise,
        track<unknown>(zk.getData('/deadline')).promise,
      ];
      const failedAt: number[] = [];
      const client = zk;
      for (const p of late) p.catch(() => failedAt.push(client.now()));
      const outcomes = await settleAll(late, requestTimeout + 5000);
      for (const o of outcomes) {
        expect(o.ok).toBe(false);
        expect(!o.ok && o.error).toBeInstanceOf(RequestTimeoutError);
      }
      // Not before the deadline: the client waited for a connection that long.
      for (const at of failedAt) expect(at - issuedAt).toBeGreaterThanOrEqual(requestTimeout);
      expect(zk.state).not.toBe('connected');

      const back = nextState(zk, ['connected', 'expired', 'closed'], 10_000);
      proxy.refuse(false);
      expect((await back).state).toBe('connected');
      expect(zk.sessionId).toBe(sessionId);
      // Had the timed-out requests gone out after the reconnect, these reads (sent after them) would see them.
      expect(await zk.exists('/deadline/never')).toBeNull();
      expect(new TextDecoder().decode((await zk.getData('/deadline')).data!)).toBe('start');
    } finally {
      proxy.refuse(false);
      await closeAll([zk]);
    }
  });
});
