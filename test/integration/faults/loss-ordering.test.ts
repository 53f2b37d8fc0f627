/**
 * Request order across a connection loss (session.ts header): every request made before the loss was
 * observed fails, in flight or still queued, so a caller that retries its failed calls in order never has
 * one applied after a later one. 80 pipelined setData calls of 8 KiB: the client writes the first 256 KiB
 * (32 calls) in one go, and the transport then reports a full socket buffer (write() returns false, and
 * the buffer never drains on that connection), so 48 calls stay queued in the client. The proxy cuts the
 * connection after a chosen reply; the test tries many cut points.
 *
 * Without the rule, queued calls went out after the reconnect while the caller's retries of the failed
 * in-flight ones came after them: a lost update (an older value left on the server).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ConnectionLossError,
  type Transport,
  type TransportConnection,
  type ZooKeeper,
  connect,
  nodeTransport,
} from '../../../src/entry/node.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { createChroot, splitConnectString, type TestChroot } from '../../support/zookeeper/index.js';
import { closeAll, settleAll } from '../../support/fault-support.js';
import { nextState } from '../../support/states.js';

const CALLS = 80;
const PAYLOAD = 8 * 1024;

let chroot: TestChroot;
let proxy: FaultProxy;

beforeAll(async () => {
  chroot = await createChroot(inject('zkConnect'), 'faults-loss-ordering', { superUser: inject('zkHarness') });
  proxy = await FaultProxy.start({ target: splitConnectString(inject('zkConnect')).hosts[0]! });
});

afterAll(async () => {
  await proxy?.close();
  await chroot?.cleanup();
});

/**
 * The node transport, but after `stall()` the current connection's next write goes out and reports a full
 * buffer: write() returns false and drained() never resolves, so the session keeps everything after it
 * queued until that connection is gone. Later connections behave normally.
 */
function stallingTransport(): { transport: Transport; stall(): void } {
  let current: { stalled: boolean } | undefined;
  const transport: Transport = {
    async connect(options) {
      const conn: TransportConnection = await nodeTransport.connect(options);
      const state = { stalled: false };
      current = state;
      let full = false;
      return {
        start: (sink) => conn.start(sink),
        write: (bytes) => {
          const ok = conn.write(bytes);
          if (state.stalled) full = true;
          return ok && !full;
        },
        drained: () => (full ? new Promise<void>(() => {}) : conn.drained()),
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
    stall: () => {
      if (current !== undefined) current.stalled = true;
    },
  };
}

const text = (data: Uint8Array | null): string => new TextDecoder().decode(data ?? new Uint8Array()).slice(0, 8);
const value = (i: number): string => `v${String(i).padStart(7, '0')}`.padEnd(PAYLOAD, '.');

describe('connection loss ordering', () => {
  // The first setData carries xid 2 (the create before it has 1): cut after the reply to the call at index k.
  for (const k of [0, 1, 3, 7, 15, 30]) {
    it(`loss ordering - cut after reply ${k + 1} of ${CALLS}: failures are a suffix, and retrying them in order leaves the last value`, async () => {
      let zk: ZooKeeper | undefined;
      try {
        const { transport, stall } = stallingTransport();
        zk = await connect(proxy.address + chroot.path, { sessionTimeout: 6000, transport });
        const path = `/register-${k}`;
        await zk.create(path, 'initial');
        stall();
        const firstXid = 2;
        const cut = proxy.cutAfterReplyTo(firstXid + k);
        const down = nextState(zk, ['disconnected'], 10_000);
        const calls = Array.from({ length: CALLS }, (_, i) => zk!.setData(path, value(i)));
        const outcomes = await settleAll(calls, 20_000);
        await cut;
        await down;
        const failed = outcomes.flatMap((o, i) => (o.ok ? [] : [i]));
        for (const i of failed) expect((outcomes[i] as { error: unknown }).error).toBeInstanceOf(ConnectionLossError);
        // Everything answered before the cut succeeded; everything after failed (no success after a failure).
        expect(failed[0]).toBe(k + 1);
        expect(failed).toEqual(Array.from({ length: CALLS - k - 1 }, (_, j) => k + 1 + j));
        // The caller retries its failed calls, in order, once connected again.
        await nextState(zk, ['connected'], 10_000).catch(() => undefined);
        for (const i of failed) await zk.setData(path, value(i));
        expect(text((await zk.getData(path)).data)).toBe(text(new TextEncoder().encode(value(CALLS - 1))));
      } finally {
        proxy.clearRules();
        await closeAll(zk === undefined ? [] : [zk], []);
      }
    });
  }
});
