/**
 * The codec alone against a real server: a bare node:net socket, zkts's encoders and decoders, nothing of
 * the session layer. Proves the records and framing interoperate with ZooKeeper 3.8 on the wire.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ErrorCode, errorCodeName } from '../../src/errors.js';
import {
  CreateMode,
  EventType,
  FrameSplitter,
  KeeperState,
  OPEN_ACL_UNSAFE,
  Xid,
  decodeConnectResponse,
  decodeReplyHeader,
  decodeResponse,
  decodeWatcherEvent,
  encodeConnectRequest,
  encodeRequest,
  type ReplyHeader,
  type Request,
} from '../../src/protocol/index.js';
import { splitConnectString } from '../support/zookeeper/admin-client.js';
import { scaled } from '../support/zookeeper/timing.js';

/** A socket that yields whole frame payloads in order, with a bound on every wait. */
class RawConnection {
  private readonly frames: Uint8Array[] = [];
  private waiter: (() => void) | undefined;
  private readonly splitter = new FrameSplitter();
  closed = false;
  private readonly socket: Socket;
  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      this.frames.push(...this.splitter.push(new Uint8Array(chunk)));
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  send(frame: Uint8Array): void {
    this.socket.write(frame);
  }

  async next(): Promise<Uint8Array> {
    const deadline = Date.now() + scaled(5000);
    while (this.frames.length === 0) {
      if (this.closed) throw new Error('connection closed while waiting for a frame');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.frames.shift()!;
  }

  /** Waits until the server closes the socket (bounded). */
  async waitClosed(): Promise<void> {
    const deadline = Date.now() + scaled(5000);
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const connectString = inject('zkConnect');
// Raw paths are server paths: under ZK_CONNECT's chroot, if it names one.
const { hosts, chroot } = splitConnectString(connectString);
const base = `${chroot}/codec-raw-${Math.random().toString(16).slice(2, 10)}`;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('codec raw socket', () => {
  let conn: RawConnection;
  let xid = 0;
  const frames: { header: ReplyHeader; payload: Uint8Array }[] = [];

  /** Sends a request and returns the reply to it, collecting notifications that arrive first. */
  async function call(request: Request): Promise<{ header: ReplyHeader; payload: Uint8Array }> {
    const id = ++xid;
    conn.send(encodeRequest(id, request));
    for (;;) {
      const payload = await conn.next();
      const header = decodeReplyHeader(payload);
      frames.push({ header, payload });
      if (header.xid === Xid.notification) continue;
      expect(header.xid).toBe(id);
      return { header, payload };
    }
  }

  beforeAll(async () => {
    conn = await RawConnection.open(hosts[0]!.host, hosts[0]!.port);
  });

  afterAll(() => conn?.destroy());

  it('codec raw socket - handshake creates a session with the negotiated timeout', async () => {
    conn.send(
      encodeConnectRequest({
        protocolVersion: 0,
        lastZxidSeen: 0n,
        timeOut: 30_000,
        sessionId: 0n,
        passwd: new Uint8Array(16),
        readOnly: false,
      }),
    );
    const response = decodeConnectResponse(await conn.next());
    expect(response.protocolVersion).toBe(0);
    expect(response.timeOut).toBeGreaterThan(0);
    expect(response.timeOut).toBeLessThanOrEqual(30_000);
    expect(response.sessionId).not.toBe(0n);
    expect(response.passwd?.length).toBe(16);
    expect(response.readOnly).toBe(false);
  });

  it('codec raw socket - create, exists watch event before the reply, getData', async () => {
    const watch = await call({ op: 'exists', path: base, watch: true });
    expect(errorCodeName(watch.header.err)).toBe('NONODE');
    const created = await call({ op: 'create2', path: base, data: text('hi'), acl: OPEN_ACL_UNSAFE, flags: CreateMode.PERSISTENT });
    expect(created.header.err).toBe(0);
    const body = decodeResponse('create2', created.payload);
    expect(body.path).toBe(base);
    expect(body.stat.czxid).toBe(created.header.zxid);
    // The NodeCreated notification was written before the create reply: FinalRequestProcessor applies the
    // create (which triggers the watch, sent at once) before it sends the reply.
    const event = frames.find((f) => f.header.xid === Xid.notification);
    expect(event).toBeDefined();
    expect(decodeWatcherEvent(event!.payload)).toEqual({ type: EventType.NodeCreated, state: KeeperState.SyncConnected, path: base });
    const data = await call({ op: 'getData', path: base, watch: false });
    const got = decodeResponse('getData', data.payload);
    expect(new TextDecoder().decode(got.data!)).toBe('hi');
    expect(got.stat.dataLength).toBe(2);
    expect(got.stat.czxid).toBe(body.stat.czxid);
  });

  it('codec raw socket - getChildren2 lists sequential children with the parent stat', async () => {
    let lastCreate = 0n;
    for (let i = 0; i < 3; i++) {
      const r = await call({ op: 'create', path: `${base}/n-`, data: null, acl: OPEN_ACL_UNSAFE, flags: CreateMode.PERSISTENT_SEQUENTIAL });
      expect(decodeResponse('create', r.payload).path).toBe(`${base}/n-${String(i).padStart(10, '0')}`);
      lastCreate = r.header.zxid;
    }
    const r = await call({ op: 'getChildren2', path: base, watch: false });
    const body = decodeResponse('getChildren2', r.payload);
    expect([...(body.children ?? [])].sort()).toEqual(['n-0000000000', 'n-0000000001', 'n-0000000002']);
    expect(body.stat.numChildren).toBe(3);
    // The last child change is the third create (a read's reply carries the server's latest zxid, which
    // other sessions on the shared server may have moved past it).
    expect(body.stat.pzxid).toBe(lastCreate);
  });

  it('codec raw socket - a multi with one failing op reports per-op errors and applies nothing', async () => {
    const r = await call({
      op: 'multi',
      ops: [
        { op: 'create', path: `${base}/m1`, data: null, acl: OPEN_ACL_UNSAFE, flags: 0 },
        { op: 'setData', path: `${base}/missing`, data: text('x'), version: -1 },
        { op: 'check', path: base, version: 0 },
      ],
    });
    expect(r.header.err).toBe(0);
    const results = decodeResponse('multi', r.payload);
    expect(results).toEqual([
      { op: 'error', err: 0 },
      { op: 'error', err: ErrorCode.NONODE },
      { op: 'error', err: ErrorCode.RUNTIMEINCONSISTENCY },
    ]);
    const exists = await call({ op: 'exists', path: `${base}/m1`, watch: false });
    expect(exists.header.err).toBe(ErrorCode.NONODE);
    const ok = await call({
      op: 'multi',
      ops: [
        { op: 'create', path: `${base}/m1`, data: null, acl: OPEN_ACL_UNSAFE, flags: 0 },
        { op: 'check', path: base, version: 0 },
        { op: 'delete', path: `${base}/m1`, version: -1 },
      ],
    });
    expect(decodeResponse('multi', ok.payload).map((x) => x.op)).toEqual(['create', 'check', 'delete']);
  });

  it('codec raw socket - cleanup then closeSession is answered and the server closes the socket', async () => {
    for (const child of ['n-0000000000', 'n-0000000001', 'n-0000000002']) {
      expect((await call({ op: 'delete', path: `${base}/${child}`, version: -1 })).header.err).toBe(0);
    }
    expect((await call({ op: 'delete', path: base, version: -1 })).header.err).toBe(0);
    const r = await call({ op: 'closeSession' });
    expect(r.header.err).toBe(0);
    expect(r.payload.length).toBe(16);
    await conn.waitClosed();
    expect(conn.closed).toBe(true);
  });
});
