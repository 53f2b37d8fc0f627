/**
 * The request pipeline of one session: requests encoded and queued in call order (unsent), written in
 * batches, in flight in a FIFO matched to replies by xid, settled once, and failed or expired by the
 * session's rules. It owns the queues and their byte count; the session decides when to write, what a
 * reply means for the session, and when everything fails.
 *
 * Auth packets (xid -4) go through the same queue, in call order, but their replies may overtake the
 * replies of requests sent before them (the server answers auth at once), so they are matched in a FIFO
 * of their own. An addAuth call whose packet was lost with a connection waits for the next connection,
 * whose replay of the credential answers it.
 */
import { InvalidArgumentError, ProtocolError, QueueFullError, RequestTimeoutError } from '../errors.js';
import { Xid } from '../protocol/constants.js';
import { type Request, encodeRequest } from '../protocol/requests.js';
import type { Clock } from './clock.js';
import { type PendingRequest, pendingRequest } from './pending.js';
import { Queue } from './queue.js';
import type { AuthCredential, SubmitOptions } from './options.js';

const XID_MAX = 0x7fffffff;
/** A flush writes at most this much at once, so one huge batch cannot monopolise a write. */
const FLUSH_LIMIT = 256 * 1024;

export interface PipelineOptions {
  clock: Clock;
  /** Largest request payload sent (jute.maxbuffer). */
  maxRequestSize: number;
  /** Cap on bytes queued and in flight. */
  maxQueuedBytes: number;
  /** Default deadline of a request, ms from the call. */
  requestTimeout: number;
}

export class RequestPipeline {
  private readonly outbound = new Queue<PendingRequest>();
  private readonly inflight = new Queue<PendingRequest>();
  private readonly authWaiters = new Queue<PendingRequest>();
  /** addAuth calls whose packet was sent on a connection that dropped. */
  private replayedAuth: PendingRequest[] = [];
  private queuedBytes = 0;
  private xid = 0;
  private readonly o: PipelineOptions;

  constructor(options: PipelineOptions) {
    this.o = options;
  }

  /** Bytes queued or in flight. */
  get bytes(): number {
    return this.queuedBytes;
  }

  get hasUnsent(): boolean {
    return this.outbound.length > 0;
  }

  nextXid(): number {
    this.xid = this.xid >= XID_MAX ? 1 : this.xid + 1;
    return this.xid;
  }

  /** Encodes and queues `request`; the promise settles with the reply body or a typed error. */
  enqueue(request: Request, options: SubmitOptions = {}): Promise<unknown> {
    let frame: Uint8Array;
    const xid = this.nextXid();
    try {
      frame = encodeRequest(xid, request);
    } catch (err) {
      return Promise.reject(err);
    }
    if (frame.length - 4 > this.o.maxRequestSize) {
      return Promise.reject(
        new InvalidArgumentError(`request of ${frame.length - 4} bytes exceeds the limit of ${this.o.maxRequestSize} (jute.maxbuffer)`, {
          path: options.path,
        }),
      );
    }
    if (this.queuedBytes + frame.length > this.o.maxQueuedBytes && this.queuedBytes > 0) {
      return Promise.reject(
        new QueueFullError(`${this.queuedBytes} bytes already queued or in flight (maxQueuedBytes)`, { path: options.path }),
      );
    }
    return new Promise((resolve, reject) => {
      this.push(
        pendingRequest({
          xid,
          op: request.op,
          frame,
          path: options.path,
          watch: options.watch,
          deadline: this.o.clock.now() + (options.timeout ?? this.o.requestTimeout),
          resolve,
          reject,
        }),
      );
    });
  }

  /** Queues an auth packet for `credential` (see the header). */
  enqueueAuth(credential: AuthCredential, timeout?: number): Promise<void> {
    const frame = encodeRequest(Xid.auth, { op: 'auth', type: 0, scheme: credential.scheme, auth: credential.auth });
    return new Promise((resolve, reject) => {
      this.push(
        pendingRequest({
          xid: Xid.auth,
          op: 'auth',
          frame,
          deadline: this.o.clock.now() + (timeout ?? this.o.requestTimeout),
          credential,
          resolve: () => resolve(),
          reject,
        }),
      );
    });
  }

  /** Queues closeSession, the last request; resolves on its reply or its failure, never rejects. */
  enqueueClose(timeout: number): Promise<void> {
    const xid = this.nextXid();
    const frame = encodeRequest(xid, { op: 'closeSession' });
    return new Promise((resolve) => {
      this.push(
        pendingRequest({
          xid,
          op: 'closeSession',
          frame,
          deadline: this.o.clock.now() + timeout,
          resolve: () => resolve(),
          reject: () => resolve(),
        }),
      );
    });
  }

  private push(p: PendingRequest): void {
    this.outbound.push(p);
    this.queuedBytes += p.size;
  }

  /**
   * Moves queued requests into flight, one batch per write; `write` returns false when the socket's
   * buffer is full, and the rest waits. `applied` is stamped on each request sent (validity.ts).
   * Returns the send time, or undefined when nothing was written.
   */
  flush(write: (bytes: Uint8Array) => boolean, applied: number): { sentAt: number; blocked: boolean } | undefined {
    let sentAt: number | undefined;
    while (this.outbound.length > 0) {
      const batch: PendingRequest[] = [];
      let bytes = 0;
      while (this.outbound.length > 0 && (bytes < FLUSH_LIMIT || batch.length === 0)) {
        const p = this.outbound.shift()!;
        if (p.settled) {
          this.queuedBytes -= p.size;
          continue;
        }
        batch.push(p);
        bytes += p.size;
      }
      if (batch.length === 0) break;
      let out: Uint8Array;
      if (batch.length === 1) {
        out = batch[0]!.frame!;
      } else {
        out = new Uint8Array(bytes);
        let off = 0;
        for (const p of batch) {
          out.set(p.frame!, off);
          off += p.size;
        }
      }
      sentAt = this.o.clock.now();
      for (const p of batch) {
        p.frame = undefined;
        p.sentAt = sentAt;
        p.applied = applied;
        if (p.credential !== undefined) this.authWaiters.push(p);
        else this.inflight.push(p);
      }
      if (!write(out)) return { sentAt, blocked: true };
    }
    return sentAt === undefined ? undefined : { sentAt, blocked: false };
  }

  /** The request a reply with this xid answers (taken out of flight); a ProtocolError when it is not the head. */
  matchReply(xid: number): PendingRequest {
    const p = this.inflight.peek();
    if (p === undefined || p.xid !== xid) {
      throw new ProtocolError(
        p === undefined ? `reply xid ${xid} with nothing in flight` : `reply xid ${xid}, expected ${p.xid}`,
        'ReplyHeader.xid',
        0,
      );
    }
    this.inflight.shift();
    this.queuedBytes -= p.size;
    return p;
  }

  /** The auth packet an auth reply answers, if any. */
  matchAuth(): PendingRequest | undefined {
    const p = this.authWaiters.shift();
    if (p?.credential !== undefined) this.queuedBytes -= p.size;
    return p;
  }

  /**
   * A new connection: writes an auth packet for every credential (answering the addAuth calls still
   * waiting for theirs, which are then not sent again), then the SetWatches `replay` requests.
   */
  prime(
    credentials: readonly AuthCredential[],
    replay: readonly Request[],
    write: (bytes: Uint8Array) => void,
    onReplayError: (e: Error) => void,
  ): void {
    const calls = new Map<AuthCredential, PendingRequest>();
    for (const p of this.replayedAuth) calls.set(p.credential!, p);
    this.replayedAuth = [];
    this.outbound.retain((p) => {
      if (p.credential === undefined || p.settled) return true;
      this.queuedBytes -= p.size;
      calls.set(p.credential, p);
      return false;
    });
    for (const credential of credentials) {
      const call = calls.get(credential);
      if (call !== undefined) this.queuedBytes += call.size;
      this.authWaiters.push(call ?? pendingRequest({ xid: Xid.auth, op: 'auth', settled: true }));
      write(encodeRequest(Xid.auth, { op: 'auth', type: 0, scheme: credential.scheme, auth: credential.auth }));
    }
    const now = this.o.clock.now();
    for (const request of replay) {
      const xid = this.nextXid();
      const frame = encodeRequest(xid, request);
      const p = pendingRequest({ xid, op: request.op, frame, sentAt: now, reject: onReplayError });
      p.frame = undefined;
      this.inflight.push(p);
      this.queuedBytes += p.size;
      write(frame);
    }
  }

  /**
   * A connection was lost. Requests in flight fail; unanswered addAuth calls wait for the next
   * connection; with `queuedToo` (an established connection) the unsent requests fail as well: they were
   * made before the loss was observed (see session.ts).
   */
  lost(error: (path?: string) => Error, queuedToo: boolean): void {
    for (const p of this.inflight.drain()) {
      this.queuedBytes -= p.size;
      settleWith(p, error);
    }
    for (const w of this.authWaiters.drain()) {
      if (w.credential === undefined || w.settled) continue;
      this.queuedBytes -= w.size;
      this.replayedAuth.push(w);
    }
    if (!queuedToo) return;
    this.outbound.retain((p) => {
      if (p.credential !== undefined && !p.settled) return true;
      this.queuedBytes -= p.size;
      settleWith(p, error);
      return false;
    });
  }

  /** Fails what is past its deadline: unsent requests are dropped, those in flight stay to match their reply. */
  sweep(now: number): void {
    const expire = (p: PendingRequest): void => settleWith(p, (path) => new RequestTimeoutError(`${p.op} timed out`, { path }));
    if (this.outbound.length > 0) {
      let expired = 0;
      for (const p of this.outbound) {
        if (!p.settled && p.deadline <= now) {
          expire(p);
          expired++;
        }
      }
      // Unsent, so nothing to match: drop them now, or while disconnected they would hold queue room
      // (QueueFullError) and memory until the next connection.
      if (expired > 0) {
        this.outbound.retain((p) => {
          if (!p.settled) return true;
          this.queuedBytes -= p.size;
          return false;
        });
      }
    }
    for (const p of this.inflight) if (!p.settled && p.deadline <= now) expire(p);
    for (const w of this.authWaiters) if (w.credential !== undefined && !w.settled && w.deadline <= now) expire(w);
    if (this.replayedAuth.length > 0) {
      for (const p of this.replayedAuth) if (!p.settled && p.deadline <= now) expire(p);
      this.replayedAuth = this.replayedAuth.filter((p) => !p.settled);
    }
  }

  /** The session is over: everything pending fails with `error`. */
  end(error: (path?: string) => Error): void {
    for (const p of [...this.inflight.drain(), ...this.outbound.drain(), ...this.authWaiters.drain(), ...this.replayedAuth])
      settleWith(p, error);
    this.replayedAuth = [];
    this.queuedBytes = 0;
  }
}

function settleWith(p: PendingRequest, error: (path?: string) => Error): void {
  if (p.settled) return;
  p.settled = true;
  p.reject(error(p.path));
}
