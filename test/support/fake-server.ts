/**
 * A scriptable fake ZooKeeper server on 127.0.0.1 (nats.js test_server, MongoDB mongodb-mock): it speaks
 * enough of the protocol to handshake, resume sessions and answer requests from a small in-memory tree
 * (zookeeper-model.ts), and lets a test replace the behaviour of any connection to misbehave (garbage,
 * wrong xids, truncated or oversized frames, silence, odd error codes, closing mid-frame).
 *
 * Several servers can share one FakeEnsemble, so a session created on one is resumed on another, as in
 * a real ensemble. Nothing here uses the client under test: frames are built with the codec.
 */
import { randomBytes } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { ErrorCode } from '../../src/protocol/constants.js';
import { FrameSplitter } from '../../src/protocol/frame.js';
import type { ConnectRequest, WatcherEvent } from '../../src/protocol/records/session.js';
import { type Request, type RequestOp, decodeConnectRequest, decodeRequest } from '../../src/protocol/requests.js';
import { type ResponseBodies, encodeConnectResponse, encodeReply, encodeWatcherEvent } from '../../src/protocol/responses.js';
import { type Peer, ZooKeeperModel } from './zookeeper-model.js';

/**
 * State shared by the servers of one fake ensemble: sessions (with their passwords) and the data tree
 * (ZooKeeperModel: `put`, `remove`, `setData` change it as another session would).
 */
export class FakeEnsemble extends ZooKeeperModel {
  readonly sessions = new Map<bigint, Uint8Array>();
  private nextSession = 0x7a6b000000000001n;

  newSession(): { sessionId: bigint; passwd: Uint8Array } {
    const sessionId = this.nextSession++;
    const passwd = new Uint8Array(randomBytes(16));
    this.sessions.set(sessionId, passwd);
    return { sessionId, passwd };
  }
}

/** One client connection, as the server's behaviour sees it. */
export class FakeConnection implements Peer {
  readonly index: number;
  readonly server: FakeZooKeeperServer;
  connectRequest: ConnectRequest | undefined;
  /** Set once the handshake was accepted. */
  sessionId: bigint | undefined;
  readonly requests: { xid: number; request: Request }[] = [];
  closed = false;
  private readonly socket: Socket;

  constructor(server: FakeZooKeeperServer, socket: Socket, index: number) {
    this.server = server;
    this.socket = socket;
    this.index = index;
  }

  get ensemble(): FakeEnsemble {
    return this.server.ensemble;
  }

  /** Raw bytes, as they are. */
  send(bytes: Uint8Array): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /** A reply frame carrying the ensemble's current zxid. */
  reply<K extends RequestOp>(xid: number, err = 0, op?: K, body?: ResponseBodies[K]): void {
    this.send(encodeReply({ xid, zxid: this.ensemble.zxid, err }, op, body));
  }

  /** Answers the ConnectRequest as a healthy server does: new session, resumed session, or expired (timeOut 0). */
  acceptHandshake(): void {
    const req = this.connectRequest!;
    const readOnly = req.readOnly === undefined ? undefined : false;
    let sessionId = req.sessionId;
    let passwd: Uint8Array;
    if (sessionId === 0n) {
      ({ sessionId, passwd } = this.ensemble.newSession());
    } else {
      const known = this.ensemble.sessions.get(sessionId);
      if (known === undefined || !equal(known, req.passwd)) {
        this.send(encodeConnectResponse({ protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: new Uint8Array(16), readOnly }));
        this.end();
        return;
      }
      passwd = known;
    }
    this.sessionId = sessionId;
    this.server.established.add(this);
    this.send(encodeConnectResponse({ protocolVersion: 0, timeOut: req.timeOut, sessionId, passwd, readOnly }));
  }

  /** Answers a request as a healthy server does, from the ensemble's tree (watches it sets notify this connection). */
  answer(xid: number, request: Request): void {
    const sessionId = this.sessionId ?? 0n;
    const handled = this.ensemble.answer(this, sessionId, request, {
      ok: (op, body) => this.reply(xid, 0, op, body),
      error: (code) => this.reply(xid, code),
    });
    if (!handled) {
      // An opcode the model does not know: what a real server does with one it does not know.
      this.send(encodeReply({ xid, zxid: -1n, err: ErrorCode.UNIMPLEMENTED }));
      this.end();
    } else if (request.op === 'closeSession') {
      this.ensemble.sessions.delete(sessionId);
      this.end();
    }
  }

  /** A watch notification (the model's Peer). */
  notify(event: WatcherEvent): void {
    this.send(encodeWatcherEvent(event));
  }

  /** Closes gracefully (FIN) after what was written. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.established.delete(this);
    this.socket.end();
  }

  /** Closes at once (RST when possible). */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.established.delete(this);
    this.socket.resetAndDestroy();
  }

  /** @internal */
  socketClosed(): void {
    this.closed = true;
    this.server.established.delete(this);
  }
}

/**
 * How the server behaves. Each hook replaces the default for its event; call `conn.acceptHandshake()`
 * or `conn.answer(...)` from a hook to fall back to healthy behaviour.
 */
export interface Behaviour {
  /** The ConnectRequest arrived. Default: acceptHandshake. */
  onConnect?(conn: FakeConnection): void;
  /** A request arrived after the handshake. Default: answer it. */
  onRequest?(conn: FakeConnection, xid: number, request: Request): void;
}

export interface FakeServerOptions {
  ensemble?: FakeEnsemble;
  /** Initial behaviour; default healthy. */
  behaviour?: Behaviour;
}

export class FakeZooKeeperServer {
  readonly ensemble: FakeEnsemble;
  /** Connections whose handshake was accepted and that are still open. */
  readonly established = new Set<FakeConnection>();
  readonly connections: FakeConnection[] = [];
  /** Replaceable at any time: consulted at every event, so it applies to open connections too. */
  behaviour: Behaviour;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(server: Server, options: FakeServerOptions) {
    this.server = server;
    this.ensemble = options.ensemble ?? new FakeEnsemble();
    this.behaviour = options.behaviour ?? {};
  }

  static async start(options: FakeServerOptions = {}): Promise<FakeZooKeeperServer> {
    const server = createServer();
    const fake = new FakeZooKeeperServer(server, options);
    server.on('connection', (socket) => fake.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** "127.0.0.1:port". */
  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Closes every established connection, as a server that drops its clients does. */
  kick(): void {
    for (const conn of [...this.established]) conn.end();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const conn = new FakeConnection(this, socket, this.connections.length);
    this.connections.push(conn);
    const splitter = new FrameSplitter();
    socket.on('error', () => {});
    socket.on('close', () => {
      this.sockets.delete(socket);
      conn.socketClosed();
    });
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = splitter.push(new Uint8Array(chunk));
      } catch {
        conn.destroy();
        return;
      }
      for (const frame of frames) {
        if (conn.closed) return;
        try {
          this.handle(conn, frame);
        } catch {
          // An undecodable frame: a real server drops the connection.
          conn.destroy();
        }
      }
    });
  }

  private handle(conn: FakeConnection, frame: Uint8Array): void {
    if (conn.connectRequest === undefined) {
      conn.connectRequest = decodeConnectRequest(frame);
      const { onConnect } = this.behaviour;
      if (onConnect !== undefined) onConnect(conn);
      else conn.acceptHandshake();
      return;
    }
    const { xid, request } = decodeRequest(frame);
    conn.requests.push({ xid, request });
    const { onRequest } = this.behaviour;
    if (onRequest !== undefined) onRequest(conn, xid, request);
    else conn.answer(xid, request);
  }
}

function equal(a: Uint8Array, b: Uint8Array | null): boolean {
  return b !== null && a.length === b.length && a.every((v, i) => v === b[i]);
}
