/**
 * The session driver and the one writer of its state: connect and handshake, pings and read timeouts,
 * reconnect across hosts (connect-plan.ts), auth and watch replay, expiry and close. Requests go through
 * the pipeline (pipeline.ts); what answers prove about the leader's view goes to validity.ts.
 *
 * Ordering: `submit` encodes and enqueues synchronously, so requests go out in call order. Frames
 * queued in one microtask leave in one transport write. Replies are matched to the head of the in-flight
 * FIFO; a wrong xid is a ProtocolError that drops the connection (ClientCnxn "Xid out of order").
 *
 * Connection loss. Every request made before the loss was observed fails with ConnectionLossError, in
 * flight (a write may or may not have been applied) or still queued: a caller that retries its failed
 * calls in order then never sees one applied after a later one. Requests made while disconnected wait
 * for the next connection (until their deadline) and go out in call order. addAuth is the exception: its
 * credential belongs to the session and is replayed first on every connection, so it never fails with
 * ConnectionLossError. Expiry, whether the server reports it or the client declares it after a whole
 * session timeout without hearing from any server, is final: everything pending fails with
 * SessionExpiredError and no new session is opened.
 *
 * Single writer: only `transition` assigns `state`.
 */
import {
  AuthFailedError,
  ClientClosedError,
  ConnectionLossError,
  InvalidArgumentError,
  SessionExpiredError,
  type ZooKeeperError,
  errorFromCode,
} from '../errors.js';
import { ErrorCode, EventType, JUTE_MAX_BUFFER, KeeperState, SESSION_PASSWORD_LENGTH, Xid } from '../protocol/constants.js';
import { DEFAULT_MAX_FRAME_SIZE, FrameSplitter } from '../protocol/frame.js';
import { type Request, encodeConnectRequest, encodeRequest } from '../protocol/requests.js';
import { type ResponseBodies, decodeConnectResponse, decodeReplyHeader, decodeResponse, decodeWatcherEvent } from '../protocol/responses.js';
import { splitSetWatches } from '../protocol/set-watches.js';
import type { Transport, TransportConnection, TransportTlsOptions } from '../transport/types.js';
import { type Clock, type TimerHandle, systemClock } from './clock.js';
import { ConnectPlan } from './connect-plan.js';
import type { HostAddress } from './connect-string.js';
import type { Endpoint } from './hosts.js';
import type { PendingRequest, WatchRegistration } from './pending.js';
import { RequestPipeline } from './pipeline.js';
import { probeReadWrite } from './rw-probe.js';
import { ReadWriteSearch } from './rw-search.js';
import { type SessionState, type StateChange, canTransition, isConnected, isTerminal } from './state.js';
import { type SessionTimeouts, deriveTimeouts } from './timeouts.js';
import { SessionValidity, committedOk, passedLeader } from './validity.js';
import { type ValidityHold, ValidityKeeper } from './validity-keeper.js';
import { WatchRegistry } from './watches.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface AuthCredential {
  scheme: string;
  auth: Uint8Array;
}

export interface SessionOptions {
  hosts: readonly HostAddress[];
  transport: Transport;
  /** Requested session timeout, ms; the server clamps it (tickTime × 2 .. × 20 by default). */
  sessionTimeout: number;
  /** Per-attempt connect timeout (TCP + handshake); default: session timeout ÷ hosts, at least 1 s. */
  connectTimeout?: number | undefined;
  /** Default deadline for a request, from the call; default twice the session timeout. */
  requestTimeout?: number | undefined;
  allowReadOnly?: boolean | undefined;
  /** Largest incoming frame payload accepted; default jute.maxbuffer plus headroom. */
  maxFrameSize?: number | undefined;
  /** Largest request payload sent; default jute.maxbuffer, past which the server drops the connection. */
  maxRequestSize?: number | undefined;
  /** Cap on bytes queued and in flight; past it requests fail with QueueFullError. Default 64 MiB. */
  maxQueuedBytes?: number | undefined;
  tls?: boolean | TransportTlsOptions | undefined;
  auth?: readonly AuthCredential[] | undefined;
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
  logger?: Logger | undefined;
}

export interface SubmitOptions {
  /** Client path, for error messages. */
  path?: string | undefined;
  watch?: WatchRegistration | undefined;
  /** Overrides the default request deadline, ms from now. */
  timeout?: number | undefined;
}

/** xid, zxid, err: what a server sends instead of a ConnectResponse when it refuses the session. */
const REPLY_HEADER_SIZE = 16;
const NO_PASSWORD = new Uint8Array(SESSION_PASSWORD_LENGTH);

export class Session {
  // ---- state (written only by transition) ----
  private _state: SessionState = 'connecting';
  private terminalError: Error | undefined;

  // ---- session identity ----
  sessionId = 0n;
  private passwd: Uint8Array = NO_PASSWORD;
  negotiatedTimeout = 0;
  lastZxid = 0n;
  readOnly = false;
  /**
   * Monotonic ms at which the last request (or ping) that got an answer was sent; -Infinity before any.
   * The server that answered heard from us then; on an ensemble that says nothing about the leader
   * (see `validity`, which the lease builds on).
   */
  lastAckedSendTime = Number.NEGATIVE_INFINITY;
  /** What answers prove about the leader's view of the session (validity.ts). */
  readonly validity = new SessionValidity();
  private readonly keeper: ValidityKeeper;

  // ---- connection ----
  private conn: TransportConnection | undefined;
  private connGen = 0;
  private established = false;
  private readonly splitter: FrameSplitter;
  private handshake: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private remote = '';
  private readonly pipeline: RequestPipeline;
  private flushScheduled = false;
  private awaitingDrain = false;
  private pingSentAt = -1;
  private connectSentAt = 0;
  private lastSend = 0;
  private lastRecv = 0;

  // ---- timers and hosts ----
  private timeouts: SessionTimeouts;
  private ticker: TimerHandle | undefined;
  private readonly plan: ConnectPlan;
  /** Connected to a read-write server at least once: a global session exists (ClientCnxn seenRwServerBefore). */
  private seenReadWrite = false;
  private readonly rwSearch: ReadWriteSearch;
  private connecting = false;
  private closing: Promise<void> | undefined;
  /** Ends the connect loop's current wait (backoff sleep, resolution or connect attempt) when the session ends. */
  private stopConnecting: ((reason: Error) => void) | undefined;

  readonly watches: WatchRegistry;
  private readonly listeners = new Set<(change: StateChange) => void>();
  private readonly auth: AuthCredential[];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly opts: SessionOptions;

  constructor(options: SessionOptions) {
    if (options.hosts.length === 0) throw new InvalidArgumentError('no hosts');
    this.opts = options;
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? (() => {});
    this.splitter = new FrameSplitter(options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE);
    this.pipeline = new RequestPipeline({
      clock: this.clock,
      maxRequestSize: options.maxRequestSize ?? JUTE_MAX_BUFFER,
      maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
      requestTimeout: options.requestTimeout ?? 2 * options.sessionTimeout,
    });
    this.auth = [...(options.auth ?? [])];
    const transport = options.transport;
    this.plan = new ConnectPlan(options.hosts, {
      random: options.random ?? Math.random,
      // Looked up at each call: a transport without a resolver dials names as written.
      resolve: (host) => (transport.resolve !== undefined ? transport.resolve(host) : Promise.resolve([host])),
      log: (level, message, fields) => this.log(level, message, fields),
    });
    this.timeouts = deriveTimeouts(options.sessionTimeout, this.plan.size, options.connectTimeout);
    this.rwSearch = new ReadWriteSearch({
      clock: this.clock,
      next: (signal) => this.plan.probeNext(signal),
      probe: (endpoint, signal) => probeReadWrite(transport, endpoint, { timeoutMs: 1000, signal, tls: options.tls, clock: this.clock }),
      found: (endpoint) => this.moveToReadWrite(endpoint),
    });
    this.watches = new WatchRegistry((err) => this.log('error', 'a watcher threw', { error: err }));
    this.lastRecv = this.clock.now();
    this.keeper = new ValidityKeeper(this.validity, {
      clock: this.clock,
      ready: () => this.established && !this.readOnly,
      send: (kind) => this.sendRenewal(kind),
      failed: (kind) => this.log('warn', `session validity renewal (${kind}) failed; retrying`),
      ended: () => this.terminalError,
    });
  }

  get state(): SessionState {
    return this._state;
  }

  /** The session's monotonic clock, ms. */
  now(): number {
    return this.clock.now();
  }

  /** Starts connecting; state changes report progress. */
  start(): void {
    this.armTicker();
    this.connectLoop();
  }

  onStateChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // =============================== requests ===============================

  /** Encodes and enqueues now; the promise settles with the decoded reply body or a typed error. */
  submit<R extends Request>(request: R, options: SubmitOptions = {}): Promise<ResponseBodies[R['op']]> {
    if (isTerminal(this._state) || this.closing !== undefined) {
      return Promise.reject(this.terminalError ?? new ClientClosedError());
    }
    const reply = this.pipeline.enqueue(request, options) as Promise<ResponseBodies[R['op']]>;
    this.scheduleFlush();
    return reply;
  }

  /**
   * Arms one-shot data watches with one SetWatches request (relativeZxid = the last zxid seen). They are
   * registered before the request goes out: the server fires NodeDeleted (node missing) or
   * NodeDataChanged (changed since that zxid) while handling it, ahead of its reply. If the request
   * fails they are taken out again (the server drops a connection's watches with it).
   */
  setDataWatches(registrations: readonly WatchRegistration[]): Promise<void> {
    if (registrations.length === 0) return Promise.resolve();
    const reply = this.submit({
      op: 'setWatches',
      relativeZxid: this.lastZxid,
      dataWatches: registrations.map((r) => r.path),
      existWatches: [],
      childWatches: [],
    });
    for (const r of registrations) this.watches.add('data', r.path, r.watcher);
    return reply.then(
      () => undefined,
      (err: unknown) => {
        for (const r of registrations) this.watches.remove('data', r.path, r.watcher);
        throw err;
      },
    );
  }

  /** Keeps `validity` renewed while held (see validity-keeper.ts). */
  holdValidity(): ValidityHold {
    return this.keeper.hold();
  }

  /**
   * Adds a credential to the session: it goes out after every request made before this call and ahead
   * of every request made after it, and is replayed first on every later connection. Resolves when a
   * server accepts it; rejects with AuthFailedError (the session then ends), RequestTimeoutError after
   * the request deadline (the credential stays: later connections still send it), or the session's end.
   * Never ConnectionLossError: while disconnected it waits for the next connection, whose replay answers it.
   */
  addAuth(credential: AuthCredential, timeout?: number): Promise<void> {
    if (isTerminal(this._state) || this.closing !== undefined) {
      return Promise.reject(this.terminalError ?? new ClientClosedError());
    }
    this.auth.push(credential);
    const reply = this.pipeline.enqueueAuth(credential, timeout);
    this.scheduleFlush();
    return reply;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || !this.established) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const conn = this.conn;
    if (!this.established || conn === undefined || this.awaitingDrain) return;
    const sent = this.pipeline.flush((bytes) => conn.write(bytes), this.validity.applied);
    if (sent === undefined) return;
    this.lastSend = sent.sentAt;
    if (!sent.blocked) return;
    this.awaitingDrain = true;
    const gen = this.connGen;
    void conn.drained().then(() => {
      if (gen !== this.connGen) return;
      this.awaitingDrain = false;
      this.scheduleFlush();
    });
  }

  // =============================== replies ===============================

  private onData(gen: number, chunk: Uint8Array): void {
    if (gen !== this.connGen) return;
    let frames: Uint8Array[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      this.dropConnection(gen, err as Error);
      return;
    }
    if (frames.length > 0) this.lastRecv = this.clock.now();
    for (const frame of frames) {
      if (gen !== this.connGen) return; // a frame dropped the connection
      try {
        if (this.handshake !== undefined) this.onConnectResponse(frame);
        else this.onReply(frame);
      } catch (err) {
        this.dropConnection(gen, err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private onReply(frame: Uint8Array): void {
    const header = decodeReplyHeader(frame);
    switch (header.xid) {
      case Xid.notification: {
        const event = decodeWatcherEvent(frame);
        this.watches.dispatch({ type: event.type, state: event.state, path: event.path });
        return;
      }
      case Xid.ping:
        if (this.pingSentAt >= 0) {
          this.ack(this.pingSentAt);
          this.validity.answered(this.pingSentAt, this.lastRecv);
          this.pingSentAt = -1;
        }
        return;
      case Xid.auth: {
        const waiter = this.pipeline.matchAuth();
        settle(waiter, header.err, null);
        if (header.err === ErrorCode.AUTHFAILED) this.terminate('authFailed');
        return;
      }
    }
    const p = this.pipeline.matchReply(header.xid);
    if (header.zxid > this.lastZxid) this.lastZxid = header.zxid;
    this.ack(p.sentAt);
    const err = header.err;
    this.validity.answered(p.sentAt, this.lastRecv);
    const leader = passedLeader(p.op, err);
    if (leader) this.validity.leaderAnswered(p.sentAt);
    // A settled request (timed out) still counts for validity: its reply proves the same.
    if (p.settled && !leader) return;
    let body: unknown = null;
    if (err === 0) {
      try {
        body = decodeResponse(p.op, frame);
      } catch (e) {
        // The frame's boundaries are intact, so only this request is lost, not the connection.
        settle(p, 0, null, e as Error);
        return;
      }
      if (leader && committedOk(p.op, err, body)) this.validity.committed(p.applied);
    }
    if (p.settled) return;
    if (p.watch !== undefined) this.registerWatch(p.watch, err);
    settle(p, err, body);
  }

  /** Y1 or Y2 of a renewal (validity-keeper.ts): a sync, or a multi that only checks the server's root. */
  private sendRenewal(kind: 'sync' | 'write'): Promise<boolean> {
    if (kind === 'sync') return this.submit({ op: 'sync', path: '/' }).then(() => true, () => false);
    return this.submit({ op: 'multi', ops: [{ op: 'check', path: '/', version: -1 }] }).then(
      (results) => results.every((r) => r.op !== 'error'),
      () => false,
    );
  }

  private ack(sentAt: number): void {
    if (sentAt > this.lastAckedSendTime) this.lastAckedSendTime = sentAt;
  }

  private registerWatch(w: WatchRegistration, err: number): void {
    if (w.kind === 'existsAware') {
      if (err === 0) this.watches.add('data', w.path, w.watcher);
      else if (err === ErrorCode.NONODE) this.watches.add('exist', w.path, w.watcher);
    } else if (err === 0) {
      this.watches.add(w.kind, w.path, w.watcher);
    }
  }

  // =============================== connecting ===============================

  private connectLoop(): void {
    if (this.connecting || isTerminal(this._state)) return;
    this.connecting = true;
    void this.runConnectLoop().finally(() => {
      this.connecting = false;
    });
  }

  private async runConnectLoop(): Promise<void> {
    let first = true;
    while (!isTerminal(this._state) && this.closing === undefined) {
      if (this._state !== 'connecting') this.transition('connecting');
      const delay = this.plan.delay(first);
      first = false;
      if (delay > 0) await this.sleep(delay);
      if (isTerminal(this._state) || this.closing !== undefined) return;
      let host: Endpoint | undefined;
      try {
        host = await this.nextEndpoint();
        await this.attempt(host);
        this.plan.succeeded();
        // Dropped again before this loop ended (a bad frame in the ConnectResponse's read): the
        // connectLoop() call that drop made was a no-op while this loop ran, so keep going.
        if (this.established) return;
      } catch (err) {
        this.log('debug', 'connect attempt failed', { host: host === undefined ? undefined : describe(host), error: err });
        this.plan.failed(host === undefined);
      }
    }
  }

  /** The next host (re-resolved), bounded like a connect attempt: the session's end stops it. */
  private async nextEndpoint(): Promise<Endpoint> {
    const abort = new AbortController();
    this.stopConnecting = (reason) => abort.abort(reason);
    try {
      return await this.plan.next(abort.signal);
    } finally {
      this.stopConnecting = undefined;
    }
  }

  /** The read-only search found a read-write server: leave the read-only one for it. */
  private moveToReadWrite(endpoint: Endpoint): void {
    if (!this.established || !this.readOnly) return;
    this.plan.preferred = endpoint;
    this.log('info', `read-write server found at ${describe(endpoint)}: leaving the read-only server`);
    this.dropConnection(this.connGen, new ConnectionLossError(`left the read-only server ${this.remote} for ${describe(endpoint)}`));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.stopConnecting = undefined;
        resolve();
      }, ms);
      this.stopConnecting = () => {
        this.clock.clearTimeout(timer);
        resolve();
      };
    });
  }

  private async attempt(host: Endpoint): Promise<void> {
    const abort = new AbortController();
    // T ÷ hosts, where every address a name resolves to counts as a host (hosts.ts).
    const t = this.negotiatedTimeout > 0 ? this.negotiatedTimeout : this.opts.sessionTimeout;
    const timeout = deriveTimeouts(t, this.plan.size, this.opts.connectTimeout).connectTimeout;
    const timer = this.clock.setTimeout(() => abort.abort(new ConnectionLossError(`connect to ${describe(host)} timed out after ${timeout} ms`)), timeout);
    this.stopConnecting = (reason) => abort.abort(reason);
    try {
      const conn = await this.opts.transport.connect({ host: host.host, port: host.port, serverName: host.name, tls: this.opts.tls, signal: abort.signal });
      if (isTerminal(this._state) || this.closing !== undefined) {
        conn.close();
        throw new ClientClosedError();
      }
      const gen = ++this.connGen;
      this.conn = conn;
      this.remote = conn.remote;
      this.splitter.reset();
      const handshake = new Promise<void>((resolve, reject) => {
        this.handshake = { resolve, reject };
      });
      abort.signal.addEventListener('abort', () => this.dropConnection(gen, abort.signal.reason as Error), { once: true });
      conn.start({ data: (chunk) => this.onData(gen, chunk), closed: (error) => this.onClosed(gen, error) });
      // Until a read-write server was seen, a read-only client asks for a new session every time: read-only
      // servers refuse to resume a global session, and the one a read-only server gave is local to it.
      const resume = this.seenReadWrite || this.opts.allowReadOnly !== true;
      conn.write(
        encodeConnectRequest({
          protocolVersion: 0,
          lastZxidSeen: this.lastZxid,
          timeOut: this.opts.sessionTimeout,
          sessionId: resume ? this.sessionId : 0n,
          passwd: resume ? this.passwd : NO_PASSWORD,
          readOnly: this.opts.allowReadOnly === true,
        }),
      );
      this.lastSend = this.clock.now();
      this.connectSentAt = this.lastSend;
      await handshake;
    } finally {
      this.clock.clearTimeout(timer);
      this.stopConnecting = undefined;
    }
  }

  private onConnectResponse(frame: Uint8Array): void {
    if (frame.length === REPLY_HEADER_SIZE) {
      // Not a ConnectResponse but a bare ReplyHeader: the server refused the session. A read-only server
      // answers NOTREADONLY to a request for a new session unless it runs with localSessionsEnabled
      // (ZOOKEEPER-3864, 3.7+); the loop moves on to the next host, as ClientCnxn does on its EOF.
      const { err } = decodeReplyHeader(frame);
      const hint = err === ErrorCode.NOTREADONLY ? ' (a read-only server creates sessions only with localSessionsEnabled=true)' : '';
      const refusal = errorFromCode(err);
      throw new ConnectionLossError(`${this.remote} refused the session: ${refusal.message}${hint}`, { cause: refusal });
    }
    const response = decodeConnectResponse(frame);
    const handshake = this.handshake!;
    this.handshake = undefined;
    if (response.timeOut <= 0) {
      const message = this.sessionId === 0n ? 'the server refused to create a session' : 'the session has expired';
      handshake.reject(new SessionExpiredError(message));
      this.terminate('expired', message);
      return;
    }
    // The server heard from us when it read the ConnectRequest: that renews the session like any request.
    this.ack(this.connectSentAt);
    const previousId = this.sessionId;
    const newSession = response.sessionId !== previousId;
    this.sessionId = response.sessionId;
    this.passwd = new Uint8Array(response.passwd ?? NO_PASSWORD); // copy: the frame's memory is not ours
    this.negotiatedTimeout = response.timeOut;
    this.readOnly = response.readOnly === true;
    if (!this.readOnly) {
      if (newSession && previousId !== 0n && !this.seenReadWrite) {
        this.log('info', 'left the read-only session for a read-write one', { sessionId: this.sessionId.toString(16) });
      }
      this.seenReadWrite = true;
    }
    this.timeouts = deriveTimeouts(response.timeOut, this.plan.size, this.opts.connectTimeout);
    this.established = true;
    this.pingSentAt = -1;
    this.validity.connected(this.connectSentAt, this.lastRecv, response.timeOut, { newSession, readOnly: this.readOnly });
    // Auth first, then watch replay, then (via flush) the requests queued meanwhile (ClientCnxn primeConnection).
    const replay = this.watches.empty ? [] : splitSetWatches(this.lastZxid, this.watches.replaySet());
    const conn = this.conn!;
    this.pipeline.prime(this.auth, replay, (bytes) => void conn.write(bytes), (e) => this.log('warn', 'watch replay failed', { error: e }));
    this.armTicker();
    this.transition(this.readOnly ? 'connectedReadOnly' : 'connected');
    handshake.resolve();
    this.scheduleFlush();
    this.keeper.poke();
    if (this.readOnly) this.rwSearch.start();
  }

  private onClosed(gen: number, error: Error | undefined): void {
    this.dropConnection(gen, error ?? new ConnectionLossError(`connection to ${this.remote} closed`));
  }

  /** Tears down connection `gen` (if still current) and, unless the session is over, reconnects. */
  private dropConnection(gen: number, cause: Error): void {
    if (gen !== this.connGen) return;
    this.connGen++;
    const conn = this.conn;
    this.conn = undefined;
    conn?.close();
    this.splitter.reset();
    this.awaitingDrain = false;
    this.pingSentAt = -1;
    const handshake = this.handshake;
    this.handshake = undefined;
    const wasEstablished = this.established;
    this.established = false;
    this.validity.disconnected();
    this.rwSearch.stop();
    const message = cause instanceof ConnectionLossError ? cause.message : `connection to ${this.remote} lost: ${cause.message}`;
    const loss = (path?: string): Error => new ConnectionLossError(message, { path, cause });
    // Queued but unsent requests were made before the loss too: they fail as well (see the header).
    this.pipeline.lost(loss, wasEstablished);
    if (handshake !== undefined) {
      handshake.reject(loss());
      return; // the connect loop moves on to the next host
    }
    // Closing: the server closes the socket right after answering closeSession; that is no disconnect.
    // If closeSession was still unsent (backpressure), nothing is left to wait for: end now, not at the bound.
    if (this.closing !== undefined) {
      this.terminate('closed');
      return;
    }
    if (!wasEstablished || isTerminal(this._state)) return;
    this.log('info', 'disconnected', { remote: this.remote, error: cause.message });
    this.transition('disconnected', cause);
    this.connectLoop();
  }

  // =============================== timers ===============================

  private armTicker(): void {
    if (this.ticker !== undefined) this.clock.clearTimeout(this.ticker);
    if (isTerminal(this._state)) return;
    const t = this.negotiatedTimeout > 0 ? this.negotiatedTimeout : this.opts.sessionTimeout;
    const interval = Math.min(1000, Math.max(10, Math.floor(t / 12)));
    this.ticker = this.clock.setTimeout(() => {
      this.ticker = undefined;
      this.tick();
      this.armTicker();
    }, interval);
  }

  private tick(): void {
    const now = this.clock.now();
    if (this.established) {
      if (now - this.lastRecv >= this.timeouts.readTimeout) {
        this.dropConnection(this.connGen, new ConnectionLossError(`nothing heard from ${this.remote} for ${Math.round(now - this.lastRecv)} ms (read timeout)`));
      } else if (now - this.lastSend >= this.timeouts.pingInterval && this.pingSentAt < 0) {
        this.pingSentAt = now;
        this.lastSend = now;
        this.conn?.write(encodeRequest(Xid.ping, { op: 'ping' }));
      }
    } else if (this.seenReadWrite && now - this.lastRecv >= this.timeouts.expiryTimeout) {
      // Disconnected for a whole session timeout: the server has expired the session (or will have).
      this.terminate('expired', `no server heard from for ${Math.round(now - this.lastRecv)} ms: session expired`);
      return;
    }
    this.pipeline.sweep(now);
  }

  // =============================== ending ===============================

  /** Sends closeSession after everything already queued, waits (bounded) for its reply, then tears down. */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    if (isTerminal(this._state)) return Promise.resolve();
    this.closing = (async () => {
      if (this.established) {
        // Bypasses the closing check in submit: it is the last request of this session.
        const bound = Math.min(this.timeouts.readTimeout, 5000);
        const reply = this.pipeline.enqueueClose(bound);
        this.scheduleFlush();
        let boundTimer: TimerHandle | undefined;
        const timeout = new Promise<void>((resolve) => {
          boundTimer = this.clock.setTimeout(resolve, bound + 100);
        });
        await Promise.race([reply, timeout]);
        // A pending timer would keep the process alive for seconds after close() resolved.
        if (boundTimer !== undefined) this.clock.clearTimeout(boundTimer);
      }
      this.terminate('closed');
    })();
    return this.closing;
  }

  /** Enters a terminal state: fails everything pending, ends every watch, closes the socket. */
  private terminate(state: 'expired' | 'authFailed' | 'closed', message?: string): void {
    if (isTerminal(this._state)) return;
    const make = (path?: string): Error =>
      state === 'expired'
        ? new SessionExpiredError(message ?? 'the session has expired', { path })
        : state === 'authFailed'
          ? new AuthFailedError(message ?? 'authentication failed', { path })
          : new ClientClosedError(message ?? 'the client is closed', { path });
    const error = make();
    this.terminalError = error;
    this.transition(state, error);
    if (this.ticker !== undefined) this.clock.clearTimeout(this.ticker);
    this.ticker = undefined;
    this.connGen++;
    this.established = false;
    this.validity.ended();
    this.keeper.stop();
    this.rwSearch.stop();
    const conn = this.conn;
    this.conn = undefined;
    conn?.close();
    const handshake = this.handshake;
    this.handshake = undefined;
    handshake?.reject(error);
    // A hanging TCP connect or a backoff sleep would otherwise outlive the session by seconds.
    const stop = this.stopConnecting;
    this.stopConnecting = undefined;
    stop?.(error);
    this.pipeline.end(make);
    const keeperState = state === 'expired' ? KeeperState.Expired : state === 'authFailed' ? KeeperState.AuthFailed : KeeperState.Closed;
    this.watches.endAll({ type: EventType.None, state: keeperState, path: '' });
  }

  private transition(next: SessionState, cause?: Error): void {
    const previous = this._state;
    if (previous === next) return;
    if (!canTransition(previous, next)) {
      this.log('warn', `ignored state change ${previous} -> ${next}`);
      return;
    }
    this._state = next;
    this.log(isTerminal(next) ? 'warn' : 'info', `state ${previous} -> ${next}`, { sessionId: this.sessionId.toString(16), cause: cause?.message });
    const change: StateChange = { state: next, previous, cause };
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.log('error', 'a state listener threw', { error: err });
      }
    }
  }

  /** The error requests fail with once the session is over (undefined while it lives). */
  get endError(): Error | undefined {
    return this.terminalError;
  }

  get isConnected(): boolean {
    return isConnected(this._state);
  }

  /** Bytes queued or in flight. */
  get pendingBytes(): number {
    return this.pipeline.bytes;
  }
}

function describe(endpoint: Endpoint): string {
  const address = endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
  return endpoint.name === endpoint.host ? address : `${endpoint.name} (${address})`;
}

/** Settles a request once: with its body, the server's error, or `failure`. */
function settle(p: PendingRequest | undefined, err: number, body: unknown, failure?: Error): void {
  if (p === undefined || p.settled) return;
  p.settled = true;
  if (failure !== undefined) p.reject(failure);
  else if (err !== 0) p.reject(replyError(err, p.path));
  else p.resolve(body);
}

/**
 * errorFromCode for a server's error reply, built without capturing a stack trace: it is made while
 * decoding a socket frame, so its frames would name only this reader and Node's stream internals, never
 * the caller, and capturing them is most of an error's cost (a lock waiter whose predecessor is already
 * gone gets NONODE on most hand-offs). Message, code, class and path are errorFromCode's.
 */
function replyError(errno: number, path: string | undefined): ZooKeeperError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return errorFromCode(errno, path);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
