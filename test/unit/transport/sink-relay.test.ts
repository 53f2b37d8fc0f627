/**
 * The adapters' shared sink delivery (src/transport/shared/sink-relay.ts) and drain waiters, alone: reads
 * before start() kept in order (also across the end), a throwing sink caught and its error made the reason,
 * `closed` exactly once with the first reason, on the caller's tick or a later one.
 */
import { describe, expect, it } from 'vitest';
import { DrainWaiters } from '../../../src/transport/shared/drain-waiters.js';
import { SinkRelay } from '../../../src/transport/shared/sink-relay.js';
import type { TransportSink } from '../../../src/transport/types.js';

function recorder(throwOn?: number): TransportSink & { chunks: number[]; closes: (Error | undefined)[] } {
  const chunks: number[] = [];
  const closes: (Error | undefined)[] = [];
  return {
    chunks,
    closes,
    data(chunk) {
      if (chunk[0] === throwOn) throw new Error(`sink threw on ${throwOn}`);
      chunks.push(chunk[0]!);
    },
    closed(error) {
      closes.push(error);
    },
  };
}

const chunk = (n: number): Uint8Array => Uint8Array.of(n);
const relayOf = (deferClosed = false): { relay: SinkRelay; threw: Error[] } => {
  const threw: Error[] = [];
  return { relay: new SinkRelay({ sinkThrew: (e) => threw.push(e), deferClosed }), threw };
};

describe('transport - SinkRelay', () => {
  it('transport - reads before start() are delivered first and in order, also when the connection ended meanwhile', () => {
    const { relay } = relayOf();
    relay.data(chunk(1));
    relay.data(chunk(2));
    relay.end();
    expect(relay.data(chunk(3))).toBe(false);
    const sink = recorder();
    relay.start(sink);
    expect(sink.chunks).toEqual([1, 2]);
    expect(sink.closes).toEqual([undefined]);
  });

  it('transport - discardUnread() drops what start() would have delivered', () => {
    const { relay } = relayOf();
    relay.data(chunk(1));
    relay.discardUnread();
    relay.end();
    const sink = recorder();
    relay.start(sink);
    expect(sink.chunks).toEqual([]);
    expect(sink.closes).toEqual([undefined]);
  });

  it('transport - a throwing sink: the rest is not delivered, sinkThrew hears it, and it is the reason closed reports', () => {
    const { relay, threw } = relayOf();
    for (const n of [1, 2, 3]) relay.data(chunk(n));
    const sink = recorder(2);
    relay.start(sink);
    expect(sink.chunks).toEqual([1]);
    expect(threw.map((e) => e.message)).toEqual(['sink threw on 2']);
    relay.end(new Error('later'));
    expect(sink.closes.map((e) => e?.message)).toEqual(['sink threw on 2']);
  });

  it('transport - closed once, with the first reason recorded; start() and end() in either order', () => {
    const { relay } = relayOf();
    const sink = recorder();
    relay.start(sink);
    relay.fail(new Error('first'));
    relay.fail(new Error('second'));
    relay.end(new Error('third'));
    relay.end();
    relay.start(recorder());
    expect(sink.closes.map((e) => e?.message)).toEqual(['first']);
  });

  it('transport - deferClosed: closed comes on a later microtask, not inside end()', async () => {
    const { relay } = relayOf(true);
    const sink = recorder();
    relay.start(sink);
    relay.end();
    expect(sink.closes).toEqual([]);
    await Promise.resolve();
    expect(sink.closes).toEqual([undefined]);
  });

  it('transport - a sink that throws from closed is contained', () => {
    const { relay } = relayOf();
    relay.start({
      data: () => undefined,
      closed: () => {
        throw new Error('closed threw');
      },
    });
    expect(() => relay.end()).not.toThrow();
  });
});

describe('transport - DrainWaiters', () => {
  it('transport - wake() releases every waiter so far, and only those', async () => {
    const waiters = new DrainWaiters();
    const released: number[] = [];
    void waiters.wait().then(() => released.push(1));
    void waiters.wait().then(() => released.push(2));
    waiters.wake();
    void waiters.wait().then(() => released.push(3));
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toEqual([1, 2]);
    waiters.wake();
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toEqual([1, 2, 3]);
  });
});
