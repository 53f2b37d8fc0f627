/**
 * One client connection through the FaultProxy: the accepted client socket, its upstream socket, and one
 * Lane per direction. A lane taps frames, decides where to cut, and delivers through a DelayLine so
 * latency keeps byte order. The proxy's settings and rules reach the connection through ProxyPolicy.
 *
 * Life cycle: 'open' forwards; 'blackholed' swallows input in both directions for the rest of its life
 * (bytes were lost, so the stream could never be trusted again); 'cutting' drops input while the bytes
 * before the cut point drain; 'closed' once both sockets have closed.
 */
import type { Socket } from 'node:net';
import { DelayLine } from './delay-line.js';
import { FrameTap } from './frame-tap.js';
import type { FrameVisitor } from './frame-tap.js';

export type Direction = 'toServer' | 'toClient';

/** A one-shot rule that cuts a connection; told when a connection commits to it and when the cut is done. */
export interface CutRule {
  decided(): void;
  done(): void;
}

/** Cut the connection once the lane has forwarded the stream up to offset `at` (exclusive). */
export interface CutOrder {
  at: number;
  rule: CutRule;
}

/** What a connection reads from its proxy, live. */
export interface ProxyPolicy {
  latencyMs(direction: Direction): number;
  isBlackholed(): boolean;
  /** While true, a frame is held back until its head is read, so a rule can still drop the whole frame. */
  holdsFrameHeads(direction: Direction): boolean;
  /** A frame's head was read (see FrameVisitor); returns a cut order if a frame rule fires on it. */
  onFrame(
    conn: ProxiedConnection,
    direction: Direction,
    index: number,
    start: number,
    length: number,
    head: Uint8Array,
  ): CutOrder | undefined;
  closed(conn: ProxiedConnection): void;
}

type State = 'open' | 'blackholed' | 'cutting' | 'closed';
type LaneItem = Uint8Array | 'end' | 'cut';

/** Payload bytes of the head the taps keep: RequestHeader {xid, type}; ReplyHeader xid. */
const HEAD_BYTES: Record<Direction, number> = { toServer: 8, toClient: 4 };
/** How long a gracefully ended socket may wait for its peer to close before it is destroyed. */
const END_GRACE_MS = 2000;

export class ProxiedConnection {
  readonly client: Socket;
  /** Absent for a connection accepted while black-holed: it is never connected through. */
  readonly upstream: Socket | undefined;
  readonly policy: ProxyPolicy;
  /** Resolves when both sockets have closed. */
  readonly done: Promise<void>;
  private state: State;
  private readonly lanes: Lane[] = [];
  private openSockets = 0;
  private graceTimers: ReturnType<typeof setTimeout>[] = [];
  private resolveDone!: () => void;

  constructor(policy: ProxyPolicy, client: Socket, upstream: Socket | undefined) {
    this.policy = policy;
    this.client = client;
    this.upstream = upstream;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.state = upstream ? 'open' : 'blackholed';
    this.watch(client);
    if (upstream) {
      this.watch(upstream);
      this.lanes.push(new Lane(this, 'toServer', client, upstream), new Lane(this, 'toClient', upstream, client));
    } else {
      client.on('data', () => {});
    }
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Arms (or replaces) the byte-count cut for one direction: `bytes` more bytes, then cut. */
  armByteCut(direction: Direction, bytes: number, rule: CutRule): void {
    const lane = this.lane(direction);
    if (lane && this.state === 'open') lane.armByteCut(bytes, rule);
  }

  disarmByteCut(rule: CutRule): void {
    for (const lane of this.lanes) lane.disarmByteCut(rule);
  }

  /** RST on both sockets; nothing queued is delivered. */
  reset(): void {
    this.abandon();
    for (const s of this.sockets()) resetSocket(s);
  }

  /** Closes both sockets at once (proxy shutdown). */
  destroy(): void {
    this.abandon();
    for (const s of this.sockets()) s.destroy();
  }

  /** Input was swallowed: from now on this connection delivers nothing new (queued bytes still land). */
  swallowForever(): void {
    if (this.state === 'open') {
      this.state = 'blackholed';
      for (const lane of this.lanes) lane.dropHeld();
    }
  }

  beginCut(lane: Lane, rules: CutRule[]): void {
    this.state = 'cutting';
    for (const l of this.lanes) l.dropHeld();
    for (const rule of rules) rule.decided();
    lane.enqueueCut(rules);
  }

  /** The bytes before the cut point have been delivered: end that side gracefully, drop the other. */
  executeCut(lane: Lane, rules: CutRule[]): void {
    if (this.state === 'closed') return;
    for (const l of this.lanes) if (l !== lane) l.clear();
    this.endGracefully(lane.dest);
    lane.source.destroy();
    for (const rule of rules) rule.done();
  }

  endGracefully(socket: Socket): void {
    if (socket.destroyed || socket.writableEnded) return;
    socket.end();
    const timer = setTimeout(() => socket.destroy(), END_GRACE_MS);
    timer.unref();
    this.graceTimers.push(timer);
  }

  private lane(direction: Direction): Lane | undefined {
    return this.lanes.find((l) => l.direction === direction);
  }

  private sockets(): Socket[] {
    return this.upstream ? [this.client, this.upstream] : [this.client];
  }

  private abandon(): void {
    if (this.state !== 'closed') this.state = 'cutting';
    for (const lane of this.lanes) lane.clear();
  }

  private watch(socket: Socket): void {
    this.openSockets++;
    // Errors end in 'close', which does the teardown; an unhandled 'error' would crash the test process.
    socket.on('error', () => {});
    socket.on('close', (hadError) => this.onSocketClose(socket, hadError));
  }

  /** A connection whose counterpart closes or errors is torn down on both sides. */
  private onSocketClose(socket: Socket, hadError: boolean): void {
    const lane = this.lanes.find((l) => l.source === socket);
    const other = socket === this.client ? this.upstream : this.client;
    if (other && !other.destroyed && !other.writableEnded && !lane?.endQueued) {
      this.abandon();
      if (hadError) resetSocket(other);
      else other.destroy();
    }
    if (--this.openSockets === 0) {
      this.state = 'closed';
      for (const l of this.lanes) l.clear();
      for (const t of this.graceTimers) clearTimeout(t);
      this.graceTimers = [];
      this.policy.closed(this);
      this.resolveDone();
    }
  }
}

/** One direction of a connection: source socket's bytes to dest socket. */
class Lane implements FrameVisitor {
  readonly direction: Direction;
  readonly source: Socket;
  readonly dest: Socket;
  /** The source sent FIN and it is queued behind the data. */
  endQueued = false;
  private readonly conn: ProxiedConnection;
  private readonly tap: FrameTap;
  private readonly line: DelayLine<LaneItem>;
  private cutRules: CutRule[] = [];
  /** Stream offsets: bytes taken from the source, and bytes handed to the delay line. */
  private received = 0;
  private forwarded = 0;
  /** Bytes received but held back (a frame whose head is not read yet); they start at `forwarded`. */
  private held: Uint8Array[] = [];
  private byteCut: CutOrder | undefined;
  private frameCut: CutOrder | undefined;
  private paused = false;

  constructor(conn: ProxiedConnection, direction: Direction, source: Socket, dest: Socket) {
    this.conn = conn;
    this.direction = direction;
    this.source = source;
    this.dest = dest;
    this.tap = new FrameTap(HEAD_BYTES[direction], this);
    this.line = new DelayLine<LaneItem>((item) => this.deliver(item));
    source.on('data', (chunk: Buffer) => this.onData(chunk));
    source.on('end', () => this.onEnd());
  }

  armByteCut(bytes: number, rule: CutRule): void {
    this.byteCut = { at: this.received + bytes, rule };
  }

  disarmByteCut(rule: CutRule): void {
    if (this.byteCut?.rule === rule) this.byteCut = undefined;
  }

  dropHeld(): void {
    this.held = [];
  }

  clear(): void {
    this.held = [];
    this.line.clear();
  }

  enqueueCut(rules: CutRule[]): void {
    this.cutRules = rules;
    this.line.push('cut', this.conn.policy.latencyMs(this.direction));
  }

  onFrame(index: number, start: number, length: number, head: Uint8Array): void {
    // Frames at or past a decided cut point are never delivered, so they are neither counted nor matched.
    if (start >= this.cutAt()) return;
    const order = this.conn.policy.onFrame(this.conn, this.direction, index, start, length, head);
    if (order && order.at < (this.frameCut?.at ?? Infinity)) this.frameCut = order;
  }

  private cutAt(): number {
    return Math.min(this.byteCut?.at ?? Infinity, this.frameCut?.at ?? Infinity);
  }

  private onData(chunk: Buffer): void {
    if (!this.conn.isOpen) return;
    const policy = this.conn.policy;
    if (policy.isBlackholed()) {
      this.conn.swallowForever();
      return;
    }
    const base = this.received;
    const end = base + chunk.length;
    this.received = end;
    const before = this.cutAt();
    if (before > base) this.tap.push(before >= end ? chunk : chunk.subarray(0, before - base));
    const cutAt = this.cutAt();
    let limit = Math.min(end, cutAt);
    if (policy.holdsFrameHeads(this.direction)) limit = Math.min(limit, this.tap.undecidedFrom);
    this.forward(chunk, limit);
    if (this.forwarded >= cutAt) {
      const rules: CutRule[] = [];
      if (this.byteCut?.at === cutAt) rules.push(this.byteCut.rule);
      if (this.frameCut?.at === cutAt) rules.push(this.frameCut.rule);
      this.conn.beginCut(this, rules);
    }
  }

  /** Sends the stream up to offset `limit`; whatever of `chunk` lies beyond it is held. */
  private forward(chunk: Uint8Array, limit: number): void {
    if (this.held.length === 0 && limit === this.forwarded + chunk.length) {
      this.send(chunk); // the fast path: nothing held, nothing cut
      this.forwarded = limit;
      return;
    }
    if (chunk.length > 0) this.held.push(chunk);
    let pos = this.forwarded;
    while (pos < limit) {
      const h = this.held[0]!;
      const take = Math.min(h.length, limit - pos);
      if (take === h.length) this.held.shift();
      else this.held[0] = h.subarray(take);
      this.send(take === h.length ? h : h.subarray(0, take));
      pos += take;
    }
    this.forwarded = pos;
  }

  private onEnd(): void {
    if (!this.conn.isOpen) return;
    // A frame that will never complete cannot match a rule any more: let its held bytes go.
    if (this.held.length > 0) this.forward(new Uint8Array(0), this.received);
    this.endQueued = true;
    this.line.push('end', this.conn.policy.latencyMs(this.direction));
  }

  private send(bytes: Uint8Array): void {
    if (bytes.length > 0) this.line.push(bytes, this.conn.policy.latencyMs(this.direction));
  }

  private deliver(item: LaneItem): void {
    if (item === 'cut') {
      this.conn.executeCut(this, this.cutRules);
      return;
    }
    if (item === 'end') {
      this.conn.endGracefully(this.dest);
      return;
    }
    const dest = this.dest;
    if (dest.destroyed || dest.writableEnded) return;
    if (!dest.write(item) && !this.paused) {
      // Socket backpressure only; bytes waiting in the delay line are not counted.
      this.paused = true;
      this.source.pause();
      dest.once('drain', () => {
        this.paused = false;
        this.source.resume();
      });
    }
  }
}

/** RST where possible; a socket still connecting has no connection to reset. */
function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}
