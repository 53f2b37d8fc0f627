/**
 * The request pipeline through the memory transport (ClientCnxn's outgoing and pending queues): coalesced
 * writes, FIFO matching with an xid check, lastZxid tracking, xid wrap-around, backpressure, and the limits
 * (maxQueuedBytes, maxRequestSize, request deadlines).
 */
import { describe, expect, it } from 'vitest';
import {
  ConnectionLossError,
  InvalidArgumentError,
  NoNodeError,
  ProtocolError,
  QueueFullError,
  RequestTimeoutError,
} from '../../../src/errors.js';
import { EventType, KeeperState } from '../../../src/protocol/constants.js';
import { encodeRequest } from '../../../src/protocol/requests.js';
import type { Stat } from '../../../src/protocol/records/data.js';
import { encodeReply, encodeWatcherEvent } from '../../../src/protocol/responses.js';
import { connectResponse } from '../../support/memory-transport.js';
import { HOSTS, established, getData, harness, settle, started } from '../../support/session-harness.js';
import { track } from '../../support/promises.js';

const STAT: Stat = {
  czxid: 1n,
  mzxid: 2n,
  ctime: 3n,
  mtime: 4n,
  version: 5,
  cversion: 6,
  aversion: 7,
  ephemeralOwner: 0n,
  dataLength: 1,
  numChildren: 0,
  pzxid: 8n,
};
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('session pipeline', () => {
  it('pipeline - requests queued before the handshake go out after it, in call order, in one write', async () => {
    const h = harness();
    const replies = ['/a', '/b', '/c'].map((p) => track(h.session.submit(getData(p))));
    const conn = await started(h);
    conn.accept();
    await settle();
    expect(conn.writes).toHaveLength(2);
    expect(conn.requests()).toEqual([
      { xid: 1, request: getData('/a') },
      { xid: 2, request: getData('/b') },
      { xid: 3, request: getData('/c') },
    ]);
    expect(replies.every((r) => !r.settled)).toBe(true);
  });

  it('pipeline - requests made in one tick while connected leave in one write', async () => {
    const h = harness();
    const conn = await established(h);
    for (let i = 0; i < 50; i++) void h.session.submit(getData(`/n${i}`)).catch(() => {});
    await settle();
    expect(conn.writes).toHaveLength(2);
    expect(conn.requests().map((r) => r.xid)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('pipeline - replies are matched first in, first out, each to its own request', async () => {
    const h = harness();
    const conn = await established(h);
    const a = h.session.submit(getData('/a'));
    const b = h.session.submit(getData('/b'), { path: '/b' });
    const c = h.session.submit({ op: 'exists', path: '/c', watch: false });
    await settle();
    conn.push(
      encodeReply({ xid: 1, zxid: 10n, err: 0 }, 'getData', { data: bytes('A'), stat: STAT }),
      encodeReply({ xid: 2, zxid: 11n, err: -101 }),
      encodeReply({ xid: 3, zxid: 12n, err: 0 }, 'exists', { stat: STAT }),
    );
    await expect(a).resolves.toEqual({ data: bytes('A'), stat: STAT });
    await expect(b).rejects.toBeInstanceOf(NoNodeError);
    await expect(b).rejects.toMatchObject({ path: '/b', errno: -101 });
    await expect(c).resolves.toEqual({ stat: STAT });
    expect(h.session.lastZxid).toBe(12n);
    expect(h.session.state).toBe('connected');
  });

  it('pipeline - lastZxid comes from matched replies only and never decreases', async () => {
    const h = harness();
    const conn = await established(h);
    const p = Array.from({ length: 3 }, (_, i) => track(h.session.submit(getData(`/${i}`))));
    await settle();
    conn.reply(1, 0x50n, 0, 'getData', { data: null, stat: STAT });
    await settle();
    expect(h.session.lastZxid).toBe(0x50n);
    // A lower zxid (a lagging reply) does not move it back; an error reply still counts.
    conn.reply(2, 0x40n, 0, 'getData', { data: null, stat: STAT });
    await settle();
    expect(h.session.lastZxid).toBe(0x50n);
    // A 3.9 notification carries its txn's zxid, a ping reply and an auth reply carry theirs: none counts.
    conn.push(encodeWatcherEvent({ type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/x' }, 0x90n));
    conn.reply(-2, 0x91n);
    conn.reply(-4, 0x92n);
    await settle();
    expect(h.session.lastZxid).toBe(0x50n);
    conn.reply(3, 0x60n, -101);
    await settle();
    expect(h.session.lastZxid).toBe(0x60n);
    expect(p.map((t) => t.settled)).toEqual([true, true, true]);
  });

  it('pipeline - a reply with the wrong xid is a ProtocolError: the connection drops and the next host is tried', async () => {
    const h = harness();
    const conn = await established(h);
    const a = h.session.submit(getData('/a'), { path: '/a' });
    const b = h.session.submit(getData('/b'));
    await settle();
    conn.reply(2, 5n, 0, 'getData', { data: null, stat: STAT });
    await expect(a).rejects.toBeInstanceOf(ConnectionLossError);
    await expect(a).rejects.toMatchObject({ path: '/a', cause: expect.any(ProtocolError) });
    await expect(b).rejects.toBeInstanceOf(ConnectionLossError);
    expect(h.session.lastZxid).toBe(0n);
    expect(conn.closedByClient).toBe(true);
    expect(h.states).toEqual(['connected', 'disconnected', 'connecting']);
    expect(h.transport.attempts.map((x) => x.host)).toEqual([HOSTS[0]!.host, HOSTS[1]!.host]);
    h.transport.last.accept();
    await settle();
    expect(h.session.state).toBe('connected');
  });

  it('pipeline - a reply when nothing is in flight drops the connection', async () => {
    const h = harness();
    const conn = await established(h);
    conn.reply(7, 1n);
    await settle();
    expect(conn.closedByClient).toBe(true);
    expect(h.states).toEqual(['connected', 'disconnected', 'connecting']);
  });

  it('pipeline - a bad frame in the same read as the ConnectResponse still leads to a reconnect', async () => {
    const h = harness();
    const conn = await started(h);
    conn.push(connectResponse(), encodeReply({ xid: 99, zxid: 1n, err: 0 }));
    await settle();
    expect(conn.closedByClient).toBe(true);
    // Bounded: the next attempt comes after at most the reconnect jitter, not after a session timeout.
    await h.clock.advanceUntil(() => h.transport.connections.length === 2, 1000);
    expect(h.transport.connections).toHaveLength(2);
    h.transport.last.accept();
    await settle();
    expect(h.session.state).toBe('connected');
    expect(h.states).toEqual(['connected', 'disconnected', 'connecting', 'connected']);
  });

  it('pipeline - a reply whose body cannot be decoded fails that request only', async () => {
    const h = harness();
    const conn = await established(h);
    const a = h.session.submit(getData('/a'));
    const b = h.session.submit(getData('/b'));
    await settle();
    // A getData reply that ends after the header: its body is truncated, the frame itself is whole.
    conn.reply(1, 1n);
    conn.reply(2, 2n, 0, 'getData', { data: bytes('ok'), stat: STAT });
    await expect(a).rejects.toBeInstanceOf(ProtocolError);
    await expect(b).resolves.toMatchObject({ data: bytes('ok') });
    expect(h.session.state).toBe('connected');
  });

  it('pipeline - the xid wraps from 2^31-1 to 1 and never uses 0 or negatives', async () => {
    const h = harness();
    const conn = await established(h);
    // 2^31 requests would take hours: start the counter next to the edge instead.
    (h.session as unknown as { pipeline: { xid: number } }).pipeline.xid = 0x7ffffffe;
    for (const p of ['/a', '/b', '/c']) void h.session.submit(getData(p)).catch(() => {});
    await settle();
    expect(conn.requests().map((r) => r.xid)).toEqual([0x7fffffff, 1, 2]);
  });

  it('pipeline - xids are not reset by a reconnect', async () => {
    const h = harness();
    const first = await established(h);
    void h.session.submit(getData('/a')).catch(() => {});
    await settle();
    first.serverClose();
    await settle();
    const second = h.transport.last;
    second.accept();
    void h.session.submit(getData('/b')).catch(() => {});
    await settle();
    expect(second.requests().map((r) => r.xid)).toEqual([2]);
  });

  it('pipeline - when write() reports backpressure, later frames wait for drained()', async () => {
    const h = harness();
    const conn = await established(h);
    conn.block();
    void h.session.submit(getData('/a')).catch(() => {});
    await settle();
    expect(conn.writes).toHaveLength(2);
    void h.session.submit(getData('/b')).catch(() => {});
    void h.session.submit(getData('/c')).catch(() => {});
    await settle();
    await h.clock.advance(100);
    expect(conn.writes).toHaveLength(2);
    conn.release();
    await settle();
    expect(conn.writes).toHaveLength(3);
    expect(conn.requests().map((r) => (r.request as { path: string }).path)).toEqual(['/a', '/b', '/c']);
  });

  it('pipeline - a large backlog is written in bounded chunks, all in order', async () => {
    const h = harness();
    const conn = await established(h);
    const data = new Uint8Array(10_000);
    for (let i = 0; i < 100; i++) void h.session.submit({ op: 'setData', path: `/n${i}`, data, version: -1 }).catch(() => {});
    await settle();
    const batches = conn.writes.slice(1);
    expect(batches.length).toBeGreaterThan(1);
    for (const w of batches) expect(w.length).toBeLessThanOrEqual(256 * 1024 + 10_100);
    expect(conn.requests().map((r) => r.xid)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('pipeline - maxQueuedBytes: past the cap a request fails with QueueFullError, and room comes back as replies arrive', async () => {
    const frameSize = encodeRequest(1, getData('/a')).length;
    const h = harness({ maxQueuedBytes: 2 * frameSize });
    const conn = await established(h);
    const a = h.session.submit(getData('/a'));
    const b = h.session.submit(getData('/b'));
    await expect(h.session.submit(getData('/c'), { path: '/c' })).rejects.toBeInstanceOf(QueueFullError);
    await settle();
    expect(conn.requests()).toHaveLength(2);
    conn.reply(1, 1n, -101);
    await expect(a).rejects.toBeInstanceOf(NoNodeError);
    const d = track(h.session.submit(getData('/d')));
    await settle();
    expect(d.error).toBeUndefined();
    expect(conn.requests().map((r) => r.xid)).toEqual([1, 2, 4]);
    conn.reply(2, 2n, -101);
    await expect(b).rejects.toBeInstanceOf(NoNodeError);
  });

  it('pipeline - requests that timed out while disconnected give their queue room back', async () => {
    const frameSize = encodeRequest(1, getData('/a')).length;
    const h = harness({ maxQueuedBytes: 2 * frameSize, requestTimeout: 5000 });
    h.transport.decide = () => 'hang';
    h.session.start();
    const queued = [track(h.session.submit(getData('/a'))), track(h.session.submit(getData('/b')))];
    await h.clock.advance(6000);
    expect(queued.map((q) => q.error)).toEqual([expect.any(RequestTimeoutError), expect.any(RequestTimeoutError)]);
    // Nothing live is queued any more, so a new request must be accepted.
    const c = track(h.session.submit(getData('/c')));
    await settle();
    expect(c.error).toBeUndefined();
    expect(h.session.pendingBytes).toBe(frameSize);
  });

  it('pipeline - maxRequestSize: an oversized request fails with InvalidArgumentError and nothing is sent', async () => {
    const h = harness({ maxRequestSize: 1000 });
    const conn = await established(h);
    const big = h.session.submit({ op: 'setData', path: '/big', data: new Uint8Array(1000), version: -1 }, { path: '/big' });
    await expect(big).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(big).rejects.toMatchObject({ path: '/big' });
    const small = track(h.session.submit({ op: 'setData', path: '/s', data: new Uint8Array(900), version: -1 }));
    await settle();
    expect(conn.requests().map((r) => (r.request as { path: string }).path)).toEqual(['/s']);
    expect(small.settled).toBe(false);
    expect(h.session.pendingBytes).toBe(conn.writes[1]!.length);
  });

  it('pipeline - a queued request past its deadline fails with RequestTimeoutError and is never sent', async () => {
    const h = harness({ requestTimeout: 5000 });
    h.transport.decide = (_a, i) => (i === 0 ? 'hang' : 'accept');
    h.session.start();
    const late = track(h.session.submit(getData('/late')));
    const short = track(h.session.submit(getData('/short'), { timeout: 1000 }));
    await h.clock.advance(999);
    expect(short.settled).toBe(false);
    await h.clock.advance(1001);
    expect(short.error).toBeInstanceOf(RequestTimeoutError);
    expect(late.settled).toBe(false);
    await h.clock.advance(3000);
    expect(late.error).toBeInstanceOf(RequestTimeoutError);
    // zk1 hangs until its connect timeout (10 s); zk2 then accepts and gets nothing of the above.
    await h.clock.advanceUntil(() => h.transport.connections.length === 1, 20_000);
    h.transport.last.accept();
    await settle();
    expect(h.transport.last.requests()).toEqual([]);
    expect(h.session.pendingBytes).toBe(0);
  });

  it('pipeline - an in-flight request past its deadline fails; its late reply is matched and ignored', async () => {
    const h = harness({ requestTimeout: 5000 });
    const conn = await established(h);
    const slow = track(h.session.submit(getData('/slow'), { path: '/slow' }));
    await settle();
    await h.clock.advance(6000);
    expect(slow.error).toBeInstanceOf(RequestTimeoutError);
    expect(slow.error).toMatchObject({ path: '/slow' });
    const next = h.session.submit(getData('/next'));
    await settle();
    conn.reply(1, 0x21n, 0, 'getData', { data: bytes('late'), stat: STAT });
    conn.reply(2, 0x22n, 0, 'getData', { data: bytes('next'), stat: STAT });
    await expect(next).resolves.toMatchObject({ data: bytes('next') });
    expect(slow.value).toBeUndefined();
    expect(conn.closedByClient).toBe(false);
    expect(h.session.state).toBe('connected');
    expect(h.session.lastZxid).toBe(0x22n);
  });
});
