/**
 * A scriptable fake ZooKeeper server on 127.0.0.1 (nats.js test_server, MongoDB mongodb-mock): it speaks
 * enough of the protocol to handshake, resume sessions and answer the common requests from a small
 * in-memory tree, and lets a test replace the behaviour of any connection to misbehave (garbage, wrong
 * xids, truncated or oversized frames, silence, odd error codes, closing mid-frame).
 *
 * Several servers can share one FakeEnsemble, so a session created on one is resumed on another, as in
 * a real ensemble. Nothing here uses the client under test: frames are built with the codec.
 */
import { randomBytes } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { ErrorCode, Xid } from '../../src/protocol/constants.js';
import { FrameSplitter } from '../../src/protocol/frame.js';
import type { Stat } from '../../src/protocol/records/data.js';
import type { ConnectRequest } from '../../src/protocol/records/session.js';
import { type Request, type RequestOp, decodeConnectRequest, decodeRequest } from '../../src/protocol/requests.js';
import { type ResponseBodies, encodeConnectResponse, encodeReply } from '../../src/protocol/responses.js';
import { statOf } from './stat.js';

interface Node {
  data: Uint8Array | null;
  stat: Stat;
}

/** State shared by the servers of one fake ensemble: sessions and the data tree. */
export class FakeEnsemble {
  readonly sessions = new Map<bigint, Uint8Array>();
  readonly nodes = new Map<string, Node>();
  zxid = 0x100n;
  private nextSession = 0x7a6b000000000001n;

  constructor() {
    this.nodes.set('/', { data: null, stat: statOf({}, 0n) });
  }

  newSession(): { sessionId: bigint; passwd: Uint8Array } {
    const sessionId = this.nextSession++;
    const passwd = new Uint8Array(randomBytes(16));
    this.sessions.set(sessionId, passwd);
    return { sessionId, passwd };
  }

  /** Creates or replaces a node (mkdir -p not included: the parent must exist for creates). */
  put(path: string, data: Uint8Array | null): void {
    const zxid = ++this.zxid;
    this.nodes.set(path, { data, stat: statOf({ dataLength: data?.length ?? 0 }, zxid) });
  }
}


/** One client connection, as the server's behaviour sees it. */
export class FakeConnection {
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

  /** Answers a request as a healthy server does, from the ensemble's tree. */
  answer(xid: number, request: Request): void {
    const nodes = this.ensemble.nodes;
    switch (request.op) {
      case 'ping':
        this.reply(Xid.ping);
        return;
      case 'auth':
        this.send(encodeReply({ xid: Xid.auth, zxid: 0n, err: 0 }));
        return;
      case 'setWatches':
      case 'setWatches2':
        this.reply(xid);
        return;
      case 'sync':
        this.reply(xid, 0, 'sync', { path: request.path });
        return;
      case 'closeSession':
        if (this.sessionId !== undefined) this.ensemble.sessions.delete(this.sessionId);
        this.reply(xid);
        this.end();
        return;
      case 'getData':
      case 'exists': {
        const node = nodes.get(request.path);
        if (node === undefined) this.reply(xid, ErrorCode.NONODE);
        else if (request.op === 'getData') this.reply(xid, 0, 'getData', { data: node.data, stat: node.stat });
        else this.reply(xid, 0, 'exists', { stat: node.stat });
        return;
      }
      case 'create':
      case 'create2': {
        const parent = request.path.slice(0, Math.max(1, request.path.lastIndexOf('/')));
        if (nodes.has(request.path)) this.reply(xid, ErrorCode.NODEEXISTS);
        else if (!nodes.has(parent)) this.reply(xid, ErrorCode.NONODE);
        else {
          this.ensemble.put(request.path, request.data);
          const node = nodes.get(request.path)!;
          if (request.op === 'create') this.reply(xid, 0, 'create', { path: request.path });
          else this.reply(xid, 0, 'create2', { path: request.path, stat: node.stat });
        }
        return;
      }
      case 'setData': {
        if (!nodes.has(request.path)) {
          this.reply(xid, ErrorCode.NONODE);
          return;
        }
        this.ensemble.put(request.path, request.data);
        this.reply(xid, 0, 'setData', { stat: nodes.get(request.path)!.stat });
        return;
      }
      case 'delete':
        if (!nodes.delete(request.path)) this.reply(xid, ErrorCode.NONODE);
        else {
          this.ensemble.zxid++;
          this.reply(xid);
        }
        return;
      case 'getChildren': {
        if (!nodes.has(request.path)) {
          this.reply(xid, ErrorCode.NONODE);
          return;
        }
        const prefix = request.path === '/' ? '/' : `${request.path}/`;
        const children = [...nodes.keys()]
          .filter((p) => p !== '/' && p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
          .map((p) => p.slice(prefix.length));
        this.reply(xid, 0, 'getChildren', { children });
        return;
      }
      default:
        // An opcode this fake does not know: what a real server does with one it does not know.
        this.send(encodeReply({ xid, zxid: -1n, err: ErrorCode.UNIMPLEMENTED }));
        this.end();
    }
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
