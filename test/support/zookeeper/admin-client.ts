/**
 * A tiny raw-socket client on zkts's own codec, for test set-up and clean-up only (chroots, leftovers):
 * connect, mkdir -p, list, delete recursively, close. It deliberately avoids the real session layer so
 * the harness does not depend on the code under test beyond the codec. No reconnects, no watches.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { errorFromCode, ErrorCode, ZooKeeperError } from '../../../src/errors.js';
import {
  decodeConnectResponse,
  decodeReplyHeader,
  decodeResponse,
  digestAuth,
  encodeConnectRequest,
  encodeRequest,
  FrameSplitter,
  OPEN_ACL_UNSAFE,
  Xid,
  type Request,
} from '../../../src/protocol/index.js';
import { SUPER_PASSWORD, SUPER_USER } from './super-auth.js';
import { scaled } from './timing.js';

export interface AdminClientOptions {
  /** Requested session timeout (default 30 s). */
  sessionTimeoutMs?: number;
  /** Bound on TCP connect plus handshake, per host (default 5 s, scaled). */
  connectTimeoutMs?: number;
  /** Bound on each request (default 10 s, scaled). */
  requestTimeoutMs?: number;
  /** Authenticate as the harness super user (only harness-started servers know it). */
  superUser?: boolean;
}

interface Pending {
  path: string | undefined;
  resolve: (payload: Uint8Array) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

function hasCode(err: unknown, code: number): boolean {
  return err instanceof ZooKeeperError && err.errno === code;
}

/** Splits `host:port,host:port/chroot` into hosts and chroot ("" for none). */
export function splitConnectString(connectString: string): { hosts: { host: string; port: number }[]; chroot: string } {
  const slash = connectString.indexOf('/');
  const hostPart = slash < 0 ? connectString : connectString.slice(0, slash);
  const chroot = slash < 0 || connectString.slice(slash) === '/' ? '' : connectString.slice(slash).replace(/\/+$/, '');
  const hosts = hostPart
    .split(',')
    .filter((h) => h.trim() !== '')
    .map((h) => {
      const m = /^\s*\[?([^\]]*?)\]?(?::(\d+))?\s*$/.exec(h);
      return { host: m?.[1] ?? h, port: m?.[2] ? Number(m[2]) : 2181 };
    });
  if (hosts.length === 0) throw new Error(`no hosts in connect string "${connectString}"`);
  return { hosts, chroot };
}

export class AdminClient {
  readonly sessionId: bigint;
  private readonly socket: Socket;
  private readonly chroot: string;
  private readonly requestTimeoutMs: number;
  private readonly pending = new Map<number, Pending>();
  private readonly pinger: NodeJS.Timeout;
  private xid = 0;
  private closed = false;

  private constructor(
    socket: Socket,
    splitter: FrameSplitter,
    sessionId: bigint,
    negotiatedMs: number,
    chroot: string,
    requestTimeoutMs: number,
  ) {
    this.socket = socket;
    this.sessionId = sessionId;
    this.chroot = chroot;
    this.requestTimeoutMs = requestTimeoutMs;
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of splitter.push(chunk)) this.onFrame(frame);
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
      }
    });
    socket.on('close', () => this.fail(new Error('connection closed')));
    socket.on('error', (err) => this.fail(err));
    // Keeps the session alive when a caller holds the client for a while (a ping is header-only, xid -2).
    this.pinger = setInterval(
      () => {
        if (!this.closed) socket.write(encodeRequest(Xid.ping, { op: 'ping' }));
      },
      Math.max(100, Math.floor(negotiatedMs / 3)),
    );
    this.pinger.unref();
  }

  /** Connects to the first host that completes a handshake; a chroot in the connect string prefixes every path. */
  static async connect(connectString: string, opts: AdminClientOptions = {}): Promise<AdminClient> {
    const { hosts, chroot } = splitConnectString(connectString);
    const errors: string[] = [];
    for (const { host, port } of hosts) {
      try {
        const client = await AdminClient.handshake(host, port, chroot, opts);
        if (opts.superUser) await client.authenticate('digest', `${SUPER_USER}:${SUPER_PASSWORD}`);
        return client;
      } catch (err) {
        errors.push(`${host}:${port}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    throw new Error(`admin client could not connect to ${connectString}:\n  ${errors.join('\n  ')}`);
  }

  private static handshake(host: string, port: number, chroot: string, opts: AdminClientOptions): Promise<AdminClient> {
    const timeoutMs = opts.connectTimeoutMs ?? scaled(5000);
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port });
      socket.setNoDelay(true);
      const splitter = new FrameSplitter();
      const fail = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`no handshake within ${timeoutMs} ms`)), timeoutMs);
      const onData = (chunk: Buffer): void => {
        let frames: Uint8Array[];
        try {
          frames = splitter.push(chunk);
        } catch (err) {
          fail(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        const first = frames[0];
        if (!first) return;
        // The server sends nothing else before we send a request, so nothing after the first frame is lost.
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', fail);
        socket.off('close', onClose);
        const res = decodeConnectResponse(first);
        if (res.timeOut <= 0) {
          socket.destroy();
          reject(new Error('the server refused the session'));
          return;
        }
        const requestTimeoutMs = opts.requestTimeoutMs ?? scaled(10_000);
        resolve(new AdminClient(socket, splitter, res.sessionId, res.timeOut, chroot, requestTimeoutMs));
      };
      const onClose = (): void => fail(new Error('connection closed during the handshake'));
      socket.on('data', onData);
      socket.on('error', fail);
      socket.on('close', onClose);
      socket.on('connect', () => {
        socket.write(
          encodeConnectRequest({
            protocolVersion: 0,
            lastZxidSeen: 0n,
            timeOut: opts.sessionTimeoutMs ?? 30_000,
            sessionId: 0n,
            passwd: new Uint8Array(16),
            readOnly: false,
          }),
        );
      });
    });
  }

  private onFrame(frame: Uint8Array): void {
    const header = decodeReplyHeader(frame);
    if (header.xid === Xid.notification || header.xid === Xid.ping) return;
    const p = this.pending.get(header.xid);
    if (!p) return;
    this.pending.delete(header.xid);
    clearTimeout(p.timer);
    if (header.err !== 0) p.reject(errorFromCode(header.err, p.path));
    else p.resolve(frame);
  }

  private fail(err: Error): void {
    this.closed = true;
    clearInterval(this.pinger);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.socket.destroy();
  }

  private send(xid: number, request: Request, path: string | undefined): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error('admin client is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(xid);
        reject(new Error(`${request.op} ${path ?? ''}: no reply within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(xid, { path, resolve, reject, timer });
      this.socket.write(encodeRequest(xid, request));
    });
  }

  private nextXid(): number {
    this.xid = this.xid >= 0x7fffffff ? 1 : this.xid + 1;
    return this.xid;
  }

  private serverPath(path: string): string {
    if (!path.startsWith('/')) throw new Error(`path must be absolute: "${path}"`);
    if (this.chroot === '') return path;
    return path === '/' ? this.chroot : this.chroot + path;
  }

  /** Adds credentials to the session, e.g. ('digest', 'user:password'). */
  async authenticate(scheme: string, credentials: string): Promise<void> {
    const sep = credentials.indexOf(':');
    const auth =
      scheme === 'digest' && sep > 0
        ? digestAuth(credentials.slice(0, sep), credentials.slice(sep + 1))
        : new TextEncoder().encode(credentials);
    await this.send(Xid.auth, { op: 'auth', type: 0, scheme, auth }, undefined);
  }

  /** Creates one persistent node with an open ACL; returns the (client-side) path. */
  async create(path: string, data: Uint8Array | null = null): Promise<string> {
    const full = this.serverPath(path);
    const frame = await this.send(this.nextXid(), { op: 'create', path: full, data, acl: OPEN_ACL_UNSAFE, flags: 0 }, path);
    const created = decodeResponse('create', frame).path;
    return this.chroot !== '' && created.startsWith(this.chroot) ? created.slice(this.chroot.length) || '/' : created;
  }

  /** mkdir -p: creates `path` and every missing ancestor; existing nodes are fine. */
  async mkdirp(path: string): Promise<void> {
    const parts = path.split('/').filter((p) => p !== '');
    let current = '';
    for (const part of parts) {
      current += `/${part}`;
      try {
        await this.create(current);
      } catch (err) {
        if (!hasCode(err, ErrorCode.NODEEXISTS)) throw err;
      }
    }
  }

  /** Whether `path` exists. */
  async exists(path: string): Promise<boolean> {
    try {
      await this.send(this.nextXid(), { op: 'exists', path: this.serverPath(path), watch: false }, path);
      return true;
    } catch (err) {
      if (hasCode(err, ErrorCode.NONODE)) return false;
      throw err;
    }
  }

  async getChildren(path: string): Promise<string[]> {
    const frame = await this.send(this.nextXid(), { op: 'getChildren', path: this.serverPath(path), watch: false }, path);
    return decodeResponse('getChildren', frame).children ?? [];
  }

  async delete(path: string, version = -1): Promise<void> {
    await this.send(this.nextXid(), { op: 'delete', path: this.serverPath(path), version }, path);
  }

  /**
   * Deletes `path` and everything below it, children first. A node that vanishes meanwhile is fine;
   * one that keeps getting new children fails after a bounded number of rounds.
   */
  async deleteRecursive(path: string): Promise<void> {
    for (let round = 0; round < 5; round++) {
      let children: string[];
      try {
        children = await this.getChildren(path);
      } catch (err) {
        if (hasCode(err, ErrorCode.NONODE)) return;
        throw err;
      }
      const base = path === '/' ? '' : path;
      // The real root's /zookeeper is the server's own and cannot be deleted.
      if (base === '' && this.chroot === '') children = children.filter((c) => c !== 'zookeeper');
      // Siblings in parallel: requests are pipelined on the one connection.
      await Promise.all(children.map((c) => this.deleteRecursive(`${base}/${c}`)));
      if (path === '/') return;
      try {
        await this.delete(path);
        return;
      } catch (err) {
        if (hasCode(err, ErrorCode.NONODE)) return;
        if (!hasCode(err, ErrorCode.NOTEMPTY)) throw err;
      }
    }
    throw new Error(`${path} kept getting new children; gave up deleting it`);
  }

  /** Closes the session (its ephemerals go at once) and the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.send(this.nextXid(), { op: 'closeSession' }, undefined);
    } catch {
      // The socket is going away either way.
    } finally {
      this.closed = true;
      clearInterval(this.pinger);
      this.socket.destroy();
    }
  }
}
