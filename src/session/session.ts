/**
 * The session driver and the one writer of its state: it ties together the connection to one server at
 * a time (connection.ts), the connect loop over the hosts (connect-loop.ts, connect-plan.ts), the
 * handshake (handshake.ts), the request pipeline (pipeline.ts), reply dispatch (replies.ts), the ticker
 * (ticker.ts: read timeout, pings, client-side expiry), auth and watch replay, expiry and close. What
 * answers prove about the leader's view goes to validity.ts. The parts keep their own private state and
 * report to the session through their hosts; the session decides what it means for the session.
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
 * Single writer: only `transition` assigns `_state`.
 */
import { ClientClosedError, ConnectionLossError, InvalidArgumentError, SessionExpiredError, UnsupportedError } from '../errors.js';
import { EventType, JUTE_MAX_BUFFER, KeeperState } from '../protocol/constants.js';
import { DEFAULT_MAX_FRAME_SIZE } from '../protocol/frame.js';
import type { Request } from '../protocol/requests.js';
import type { ResponseBodies } from '../protocol/responses.js';
import { splitSetWatches } from '../protocol/set-watches.js';
import type { TransportConnection } from '../transport/types.js';
import { type Clock, type TimerHandle, systemClock } from './clock.js';
import { ConnectLoop } from './connect-loop.js';
import { ConnectPlan } from './connect-plan.js';
import { Connection } from './connection.js';
import { NO_PASSWORD, connectRequest, readConnectResponse } from './handshake.js';
import { type Endpoint, describe } from './hosts.js';
import type { AuthCredential, Logger, SessionOptions, SubmitOptions } from './options.js';
import type { WatchRegistration } from './pending.js';
import { RequestPipeline } from './pipeline.js';
import { SaslExchange, saslRequired } from './sasl.js';
import { type ReplyHost, dispatchReply } from './replies.js';
import { probeReadWrite } from './rw-probe.js';
import { ReadWriteSearch } from './rw-search.js';
import { type SessionState, type StateChange, canTransition, endError, isConnected, isTerminal } from './state.js';
import { Ticker } from './ticker.js';
import { type SessionTimeouts, deriveTimeouts } from './timeouts.js';
import { SessionValidity } from './validity.js';
import { type ValidityHold, ValidityKeeper } from './validity-keeper.js';
import { WatchRegistry, armDataWatches } from './watches.js';

export type { AuthCredential, Logger, LogLevel, SessionOptions, SubmitOptions } from './options.js';

export class Session {
  // ---- state (written only by transition) ----
  private _state: SessionState = 'connecting';
  private terminalError: Error | undefined;
  private closing: Promise<void> | undefined;

  // ---- session identity ----
  sessionId = 0n;
  private passwd: Uint8Array = NO_PASSWORD;
  negotiatedTimeout = 0;
  lastZxid = 0n;
  readOnly = false;
  /** Connected to a read-write server at least once: a global session exists (ClientCnxn seenRwServerBefore). */
  private seenReadWrite = false;
  /**
   * Monotonic ms at which the last request (or ping) that got an answer was sent; -Infinity before any.
   * The server that answered heard from us then; on an ensemble that says nothing about the leader
   * (see `validity`, which the lease builds on).
   */
  lastAckedSendTime = Number.NEGATIVE_INFINITY;
  /** What answers prove about the leader's view of the session (validity.ts). */
  readonly validity = new SessionValidity();
  private readonly keeper: ValidityKeeper;

  // ---- parts ----
  private readonly connection: Connection;
  private readonly pipeline: RequestPipeline;
  private readonly replies: ReplyHost;
  private readonly plan: ConnectPlan;
  private readonly loop: ConnectLoop;
  private readonly ticker: Ticker;
  private readonly rwSearch: ReadWriteSearch;
  readonly watches: WatchRegistry;

  /** SASL under way on the current connection's handshake. */
  private sasl: SaslExchange | undefined;

  private readonly listeners = new Set<(change: StateChange) => void>();
  private readonly auth: AuthCredential[];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly opts: SessionOptions;

  constructor(options: SessionOptions) {
    if (options.hosts.length === 0) throw new InvalidArgumentError('no hosts');
    this.opts = options;
    const clock = options.clock ?? systemClock;
    const log: Logger = options.logger ?? (() => {});
    this.clock = clock;
    this.log = log;
    this.pipeline = new RequestPipeline({
      clock,
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
      log: (level, message, fields) => log(level, message, fields),
    });
    this.rwSearch = new ReadWriteSearch({
      clock,
      next: (signal) => this.plan.probeNext(signal),
      probe: (endpoint, signal) => probeReadWrite(transport, endpoint, { timeoutMs: 1000, signal, tls: options.tls, clock }),
      found: (endpoint) => this.moveToReadWrite(endpoint),
    });
    this.watches = new WatchRegistry((err) => log('error', 'a watcher threw', { error: err }));
    const connection = (this.connection = new Connection(
      {
        clock,
        connectResponse: (frame) => this.onConnectResponse(frame),
        reply: (frame) => dispatchReply(this.replies, frame),
        failed: (gen, cause) => this.dropConnection(gen, cause),
        flush: (write) => this.pipeline.flush(write, this.validity.applied),
      },
      options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
    ));
    this.replies = {
      connection,
      pipeline: this.pipeline,
      validity: this.validity,
      watches: this.watches,
      seen: (zxid) => {
        if (zxid > this.lastZxid) this.lastZxid = zxid;
      },
      acked: (sentAt) => this.ack(sentAt),
      authFailed: () => this.terminate('authFailed'),
      authRequired: () => this.terminate('authFailed', undefined, saslRequired()),
    };
    this.loop = new ConnectLoop({
      clock,
      plan: this.plan,
      transport,
      tls: options.tls,
      log,
      stopped: () => this.stopped,
      connecting: () => this.transition('connecting'),
      // T ÷ hosts, where every address a name resolves to counts as a host (hosts.ts).
      connectTimeout: () => this.timeouts.connectTimeout,
      handshake: (conn, signal) => this.handshake(conn, signal),
      established: () => connection.established,
      // A refused option is not an authentication failure: the client just cannot run as configured.
      fatal: (error) => this.terminate(error instanceof UnsupportedError ? 'closed' : 'authFailed', error.message, error),
    });
    this.ticker = new Ticker({
      clock,
      connection,
      sessionTimeout: () => this.sessionTimeout,
      timeouts: () => this.timeouts,
      ended: () => isTerminal(this._state),
      mayExpire: () => this.seenReadWrite,
      lost: (cause) => this.dropConnection(connection.generation, cause),
      expired: (message) => this.terminate('expired', message),
      sweep: (now) => this.pipeline.sweep(now),
    });
    this.keeper = new ValidityKeeper(this.validity, {
      clock,
      ready: () => connection.established && !this.readOnly,
      send: (kind) => this.sendRenewal(kind),
      failed: (kind) => log('warn', `session validity renewal (${kind}) failed; retrying`),
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
    this.ticker.arm();
    this.loop.start();
  }

  onStateChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // =============================== requests ===============================

  /** Encodes and enqueues now; the promise settles with the decoded reply body or a typed error. */
  submit<R extends Request>(request: R, options: SubmitOptions = {}): Promise<ResponseBodies[R['op']]> {
    if (this.stopped) return Promise.reject(this.terminalError ?? new ClientClosedError());
    const reply = this.pipeline.enqueue(request, options) as Promise<ResponseBodies[R['op']]>;
    this.connection.scheduleFlush();
    return reply;
  }

  /** Arms one-shot data watches with one SetWatches request at the last zxid seen (see watches.ts armDataWatches). */
  setDataWatches(registrations: readonly WatchRegistration[]): Promise<void> {
    return armDataWatches(this.watches, registrations, (dataWatches) =>
      this.submit({ op: 'setWatches', relativeZxid: this.lastZxid, dataWatches, existWatches: [], childWatches: [] }),
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
    if (this.stopped) return Promise.reject(this.terminalError ?? new ClientClosedError());
    this.auth.push(credential);
    const reply = this.pipeline.enqueueAuth(credential, timeout);
    this.connection.scheduleFlush();
    return reply;
  }

  /** Y1 or Y2 of a renewal (validity-keeper.ts): a sync, or a multi that only checks the server's root. */
  private sendRenewal(kind: 'sync' | 'write'): Promise<boolean> {
    if (kind === 'sync')
      return this.submit({ op: 'sync', path: '/' }).then(
        () => true,
        () => false,
      );
    return this.submit({ op: 'multi', ops: [{ op: 'check', path: '/', version: -1 }] }).then(
      (results) => results.every((r) => r.op !== 'error'),
      () => false,
    );
  }

  private ack(sentAt: number): void {
    if (sentAt > this.lastAckedSendTime) this.lastAckedSendTime = sentAt;
  }

  // =============================== connections ===============================

  /** The connect loop connected to a server: make it the current connection and run the handshake. */
  private handshake(conn: TransportConnection, signal: AbortSignal): Promise<void> {
    const session = { sessionId: this.sessionId, passwd: this.passwd, lastZxid: this.lastZxid, seenReadWrite: this.seenReadWrite };
    const { gen, handshake } = this.connection.open(conn, connectRequest(session, this.opts));
    signal.addEventListener('abort', () => this.dropConnection(gen, signal.reason as Error), { once: true });
    return handshake;
  }

  /**
   * A frame while the handshake is under way: the ConnectResponse, then, with SASL, the SASL answers
   * (the handshake ends when SASL does, so the connect timeout bounds both, and a connection lost
   * meanwhile moves on to the next host like any failed handshake).
   */
  private onConnectResponse(frame: Uint8Array): void {
    if (this.sasl !== undefined) {
      this.sasl.receive(frame);
      return;
    }
    const response = readConnectResponse(frame, this.connection.remote);
    if (response.timeOut <= 0) {
      const handshake = this.connection.takeHandshake();
      const message = this.sessionId === 0n ? 'the server refused to create a session' : 'the session has expired';
      handshake.reject(new SessionExpiredError(message));
      this.terminate('expired', message);
      return;
    }
    // The server heard from us when it read the ConnectRequest: that renews the session like any request.
    const { connectSentAt } = this.connection;
    this.ack(connectSentAt);
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
    const establish = (): void => this.establish(response.timeOut, newSession);
    const credentials = this.opts.sasl;
    if (credentials === undefined) {
      establish();
      return;
    }
    // SASL first, before auth replay, watch replay and queued requests: a server enforcing SASL
    // (enforce.auth) refuses anything else from a connection that has not authenticated.
    this.sasl = new SaslExchange(credentials, {
      write: (bytes) => this.connection.write(bytes),
      nextXid: () => this.pipeline.nextXid(),
      done: () => {
        this.sasl = undefined;
        this.log('debug', 'SASL authenticated', { mechanism: 'DIGEST-MD5' });
        establish();
      },
      failed: (error) => {
        this.sasl = undefined;
        this.terminate('authFailed', undefined, error);
      },
    });
    this.sasl.start();
  }

  /** The handshake (and SASL, if any) is done: requests may go out, auth and watches replayed first. */
  private establish(timeOut: number, newSession: boolean): void {
    const handshake = this.connection.takeHandshake();
    const { connectSentAt } = this.connection;
    this.connection.establish();
    this.validity.connected(connectSentAt, this.connection.lastRecv, timeOut, { newSession, readOnly: this.readOnly });
    // Auth first, then watch replay, then (via flush) the requests queued meanwhile (ClientCnxn primeConnection).
    const replay = this.watches.empty ? [] : splitSetWatches(this.lastZxid, this.watches.replaySet());
    this.pipeline.prime(
      this.auth,
      replay,
      (bytes) => this.connection.write(bytes),
      (e) => this.log('warn', 'watch replay failed', { error: e }),
    );
    this.ticker.arm();
    this.transition(this.readOnly ? 'connectedReadOnly' : 'connected');
    handshake.resolve();
    this.connection.scheduleFlush();
    this.keeper.poke();
    if (this.readOnly) this.rwSearch.start();
  }

  /** The read-only search found a read-write server: leave the read-only one for it. */
  private moveToReadWrite(endpoint: Endpoint): void {
    if (!this.connection.established || !this.readOnly) return;
    this.plan.preferred = endpoint;
    this.log('info', `read-write server found at ${describe(endpoint)}: leaving the read-only server`);
    const cause = new ConnectionLossError(`left the read-only server ${this.connection.remote} for ${describe(endpoint)}`);
    this.dropConnection(this.connection.generation, cause);
  }

  /** Tears down connection `gen` (if still current) and, unless the session is over, reconnects. */
  private dropConnection(gen: number, cause: Error): void {
    const dropped = this.connection.drop(gen);
    if (dropped === undefined) return;
    this.sasl = undefined;
    this.validity.disconnected();
    this.rwSearch.stop();
    const remote = this.connection.remote;
    const message = cause instanceof ConnectionLossError ? cause.message : `connection to ${remote} lost: ${cause.message}`;
    const loss = (path?: string): Error => new ConnectionLossError(message, { path, cause });
    // Queued but unsent requests were made before the loss too: they fail as well (see the header).
    this.pipeline.lost(loss, dropped.wasEstablished);
    if (dropped.handshake !== undefined) {
      dropped.handshake.reject(loss());
      return; // the connect loop moves on to the next host
    }
    // Closing: the server closes the socket right after answering closeSession; that is no disconnect.
    // If closeSession was still unsent (backpressure), nothing is left to wait for: end now, not at the bound.
    if (this.closing !== undefined) {
      this.terminate('closed');
      return;
    }
    if (!dropped.wasEstablished || isTerminal(this._state)) return;
    this.log('info', 'disconnected', { remote, error: cause.message });
    this.transition('disconnected', cause);
    this.loop.start();
  }

  /** The session timeout in force: the negotiated one, or the requested one before the first connection. */
  private get sessionTimeout(): number {
    return this.negotiatedTimeout > 0 ? this.negotiatedTimeout : this.opts.sessionTimeout;
  }

  private get timeouts(): SessionTimeouts {
    return deriveTimeouts(this.sessionTimeout, this.plan.size, this.opts.connectTimeout);
  }

  // =============================== ending ===============================

  /** Sends closeSession after everything already queued, waits (bounded) for its reply, then tears down. */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    if (isTerminal(this._state)) return Promise.resolve();
    this.closing = (async () => {
      if (this.connection.established) {
        // Bypasses the closing check in submit: it is the last request of this session.
        const bound = Math.min(this.timeouts.readTimeout, 5000);
        const reply = this.pipeline.enqueueClose(bound);
        this.connection.scheduleFlush();
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

  /** The session is over or closing: no new requests, no more connect attempts. */
  private get stopped(): boolean {
    return isTerminal(this._state) || this.closing !== undefined;
  }

  /**
   * Enters a terminal state: fails everything pending, ends every watch, closes the socket. `error`, when
   * given, is the error the session ends with (a TlsError, a SASL refusal) instead of the state's own.
   */
  private terminate(state: 'expired' | 'authFailed' | 'closed', message?: string, error?: Error): void {
    if (isTerminal(this._state)) return;
    const make = (path?: string): Error => error ?? endError(state, message, path);
    const ended = make();
    this.terminalError = ended;
    this.transition(state, ended);
    this.ticker.stop();
    this.connection.end(ended);
    this.validity.ended();
    this.keeper.stop();
    this.rwSearch.stop();
    this.loop.stop(ended);
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
    this.log(isTerminal(next) ? 'warn' : 'info', `state ${previous} -> ${next}`, {
      sessionId: this.sessionId.toString(16),
      cause: cause?.message,
    });
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
