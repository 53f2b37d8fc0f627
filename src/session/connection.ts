/**
 * The session's connection to one server at a time: the transport connection and its frame splitter, a
 * generation that tells the current connection's callbacks from a dropped one's, the handshake under way,
 * the write path, and the times the ticker reads. It holds no session state: frames and failures go to
 * the session through its host, and the session decides what they mean.
 *
 * Writes: frames queued in one microtask leave in one transport write (`scheduleFlush`); when the
 * socket's buffer is full the rest waits for it to drain.
 */
import { ConnectionLossError } from '../errors.js';
import { Xid } from '../protocol/constants.js';
import { FrameSplitter } from '../protocol/frame.js';
import { encodeRequest } from '../protocol/requests.js';
import type { TransportConnection } from '../transport/types.js';
import type { Clock } from './clock.js';

export interface ConnectionHost {
  readonly clock: Clock;
  /** A frame while the handshake is under way: the server's answer to the ConnectRequest. */
  connectResponse(frame: Uint8Array): void;
  /** A frame after the handshake: a reply, a notification or a ping's answer. */
  reply(frame: Uint8Array): void;
  /** Connection `gen` failed: closed, a bad frame, or a frame handler threw. The session drops it. */
  failed(gen: number, cause: Error): void;
  /** Writes what is queued (RequestPipeline.flush); undefined when nothing was written. */
  flush(write: (bytes: Uint8Array) => boolean): { sentAt: number; blocked: boolean } | undefined;
}

/** Settles the promise `open` returned: resolved once the session is established, rejected otherwise. */
export interface Handshake {
  resolve: () => void;
  reject: (e: Error) => void;
}

export class Connection {
  private conn: TransportConnection | undefined;
  private gen = 0;
  private readonly splitter: FrameSplitter;
  private handshake: Handshake | undefined;
  private isEstablished = false;
  private flushScheduled = false;
  private awaitingDrain = false;
  private pingSentAt = -1;
  private sentLast = 0;
  private receivedLast: number;
  private connectSent = 0;
  private remoteName = '';
  private readonly host: ConnectionHost;

  constructor(host: ConnectionHost, maxFrameSize: number) {
    this.host = host;
    this.splitter = new FrameSplitter(maxFrameSize);
    this.receivedLast = host.clock.now();
  }

  /** The current connection's generation; a dropped connection's callbacks carry an older one. */
  get generation(): number {
    return this.gen;
  }

  /** The session accepted the ConnectResponse, and the connection has not dropped since: requests may go out. */
  get established(): boolean {
    return this.isEstablished;
  }

  /** "host:port" of the current (or last) server, for messages. */
  get remote(): string {
    return this.remoteName;
  }

  /** Monotonic ms of the last write (request, ping or ConnectRequest). */
  get lastSend(): number {
    return this.sentLast;
  }

  /** Monotonic ms a frame was last received, on any connection; the session's creation before any. */
  get lastRecv(): number {
    return this.receivedLast;
  }

  /** Monotonic ms the current connection's ConnectRequest was sent. */
  get connectSentAt(): number {
    return this.connectSent;
  }

  /** A ping is out, unanswered. */
  get pinging(): boolean {
    return this.pingSentAt >= 0;
  }

  /**
   * Makes `conn` the current connection (a new generation), starts reading it and sends `connectRequest`.
   * The handshake promise settles through `takeHandshake`, or rejects when the connection drops first.
   */
  open(conn: TransportConnection, connectRequest: Uint8Array): { gen: number; handshake: Promise<void> } {
    const gen = ++this.gen;
    this.conn = conn;
    this.remoteName = conn.remote;
    this.splitter.reset();
    const handshake = new Promise<void>((resolve, reject) => {
      this.handshake = { resolve, reject };
    });
    conn.start({
      data: (chunk) => this.onData(gen, chunk),
      closed: (error) => this.host.failed(gen, error ?? new ConnectionLossError(`connection to ${this.remoteName} closed`)),
    });
    conn.write(connectRequest);
    this.sentLast = this.host.clock.now();
    this.connectSent = this.sentLast;
    return { gen, handshake };
  }

  /** The ConnectResponse arrived: the handshake is over, and the caller settles it. */
  takeHandshake(): Handshake {
    const handshake = this.handshake!;
    this.handshake = undefined;
    return handshake;
  }

  /** The session accepted the ConnectResponse. */
  establish(): void {
    this.isEstablished = true;
    this.pingSentAt = -1;
  }

  /**
   * Tears down connection `gen` if it is still the current one: whether it was established, and the
   * handshake it interrupted (for the caller to reject). Undefined when `gen` was dropped already.
   */
  drop(gen: number): { wasEstablished: boolean; handshake: Handshake | undefined } | undefined {
    if (gen !== this.gen) return undefined;
    this.gen++;
    const conn = this.conn;
    this.conn = undefined;
    conn?.close();
    this.splitter.reset();
    this.awaitingDrain = false;
    this.pingSentAt = -1;
    const handshake = this.handshake;
    this.handshake = undefined;
    const wasEstablished = this.isEstablished;
    this.isEstablished = false;
    return { wasEstablished, handshake };
  }

  /** The session is over: no connection is current any more, and a handshake under way fails with `error`. */
  end(error: Error): void {
    this.gen++;
    this.isEstablished = false;
    const conn = this.conn;
    this.conn = undefined;
    conn?.close();
    const handshake = this.handshake;
    this.handshake = undefined;
    handshake?.reject(error);
  }

  /** Writes now, outside the queue (the replay that primes a new connection). */
  write(bytes: Uint8Array): void {
    this.conn?.write(bytes);
  }

  /** Sends a ping; its answer is matched by `pingAnswered`. */
  ping(now: number): void {
    this.pingSentAt = now;
    this.sentLast = now;
    this.conn?.write(encodeRequest(Xid.ping, { op: 'ping' }));
  }

  /** A ping's answer arrived: the send time of the ping it answers, or undefined when none was out. */
  pingAnswered(): number | undefined {
    if (this.pingSentAt < 0) return undefined;
    const sentAt = this.pingSentAt;
    this.pingSentAt = -1;
    return sentAt;
  }

  /** Flushes the queue at the end of this microtask, once established. */
  scheduleFlush(): void {
    if (this.flushScheduled || !this.isEstablished) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const conn = this.conn;
    if (!this.isEstablished || conn === undefined || this.awaitingDrain) return;
    const sent = this.host.flush((bytes) => conn.write(bytes));
    if (sent === undefined) return;
    this.sentLast = sent.sentAt;
    if (!sent.blocked) return;
    this.awaitingDrain = true;
    const gen = this.gen;
    void conn.drained().then(() => {
      if (gen !== this.gen) return;
      this.awaitingDrain = false;
      this.scheduleFlush();
    });
  }

  private onData(gen: number, chunk: Uint8Array): void {
    if (gen !== this.gen) return;
    let frames: Uint8Array[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      this.host.failed(gen, err as Error);
      return;
    }
    if (frames.length > 0) this.receivedLast = this.host.clock.now();
    for (const frame of frames) {
      if (gen !== this.gen) return; // a frame dropped the connection
      try {
        if (this.handshake !== undefined) this.host.connectResponse(frame);
        else this.host.reply(frame);
      } catch (err) {
        this.host.failed(gen, err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}
