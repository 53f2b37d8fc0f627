/**
 * ZooKeeperModel behind a MemoryTransport, for unit tests of code that runs on the real client (the client
 * layer, recipes) with no server: `connect()` gives a client, every request is answered in order and at
 * once (on the next microtask), `requests` logs what was sent, and `script` can answer instead of the tree.
 */
import { type ConnectOptions, type ZooKeeper, connect } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/constants.js';
import { FrameSplitter } from '../../src/protocol/frame.js';
import { type Request, type RequestOp, decodeConnectRequest, decodeRequest } from '../../src/protocol/requests.js';
import { encodeConnectResponse, encodeReply } from '../../src/protocol/responses.js';
import { type MemoryConnection, MemoryTransport, TEST_PASSWORD } from './memory-transport.js';
import { type Peer, type Replier, ZooKeeperModel } from './zookeeper-model.js';

export interface LoggedRequest {
  /** The session that sent it. */
  sessionId: bigint;
  xid: number;
  request: Request;
}

/** The model behind a MemoryTransport: a client connects with `connect()`, and every request is answered at once. */
export class MemoryZooKeeper extends ZooKeeperModel {
  readonly transport = new MemoryTransport();
  /** Every request received after a handshake, pings included, in order. */
  readonly requests: LoggedRequest[] = [];
  /**
   * Consulted before the tree for every request after the handshake: answer through `reply` and return
   * true, or return false to let the tree answer. For replies a healthy server never sends (null vectors,
   * results outside the chroot, odd error codes).
   */
  script: ((request: Request, reply: Replier) => boolean) | undefined;
  private nextSession = 0x1234n;
  private readonly sessions = new Map<MemoryConnection, bigint>();

  constructor() {
    super();
    this.transport.onConnection = (conn) => this.attach(conn);
  }

  /** A client of this server through the memory transport, with an optional chroot (30 s session timeout by default). */
  connect(chroot = '', options: Omit<ConnectOptions, 'transport'> = {}): Promise<ZooKeeper> {
    return connect(`zk:2181${chroot}`, { sessionTimeout: 30_000, ...options, transport: this.transport });
  }

  /** The requests of `op` received so far (pings, say, or the setWatches a recipe sent). */
  sent<K extends RequestOp>(op: K): Extract<Request, { op: K }>[] {
    return this.requests.map((r) => r.request).filter((r): r is Extract<Request, { op: K }> => r.op === op);
  }

  private attach(conn: MemoryConnection): void {
    const splitter = new FrameSplitter(1 << 30);
    const peer: Peer = {
      notify: (event) => conn.notify(event),
      get closed() {
        return conn.ended;
      },
    };
    conn.onWrite = (bytes) => {
      const frames = splitter.push(bytes);
      // Answered after the write returns, as a socket would deliver the reply.
      queueMicrotask(() => {
        for (const frame of frames) if (!conn.ended) this.handle(conn, peer, frame);
      });
    };
  }

  private handle(conn: MemoryConnection, peer: Peer, frame: Uint8Array): void {
    const sessionId = this.sessions.get(conn);
    if (sessionId === undefined) {
      const req = decodeConnectRequest(frame);
      const id = req.sessionId === 0n ? this.nextSession++ : req.sessionId;
      this.sessions.set(conn, id);
      conn.push(encodeConnectResponse({ protocolVersion: 0, timeOut: req.timeOut, sessionId: id, passwd: TEST_PASSWORD, readOnly: false }));
      return;
    }
    const { xid, request } = decodeRequest(frame);
    this.requests.push({ sessionId, xid, request });
    const reply: Replier = {
      ok: (op, body) => conn.push(encodeReply({ xid, zxid: this.zxid, err: 0 }, op, body)),
      error: (code) => conn.push(encodeReply({ xid, zxid: this.zxid, err: code })),
    };
    if (this.script?.(request, reply) === true) return;
    if (!this.answer(peer, sessionId, request, reply)) {
      // What a real server does with a request it does not handle.
      reply.error(ErrorCode.UNIMPLEMENTED);
      conn.serverClose();
    } else if (request.op === 'closeSession') {
      conn.serverClose();
    }
  }
}
