/**
 * One connection through a LinkProxy: the accepted socket, the socket to the target, and per direction a
 * DelayLine (latency, in order) feeding a gate that holds everything while the link is cut. Bytes, FIN
 * and resets are all items of the same stream, so a partition holds a close as it holds bytes, and a heal
 * delivers them in the order they came.
 */
import { createConnection, type Socket } from 'node:net';
import { DelayLine } from './delay-line.js';

/** toTarget: from the side that connected to the proxy; fromTarget: back to it. */
export type LinkDirection = 'toTarget' | 'fromTarget';

export interface LinkTarget {
  host: string;
  port: number;
}

/** What a connection reads from its proxy, live. */
export interface LinkPolicy {
  isCut(): boolean;
  delayMs(direction: LinkDirection): number;
  target(): LinkTarget;
  /** Replaces the first bytes toward the target; undefined: collect more first. */
  rewrite: ((head: Uint8Array) => Uint8Array | undefined) | undefined;
  maxHeldBytes: number;
  closed(conn: LinkConnection): void;
}

type Item = Uint8Array | 'end' | 'reset';

/** Past this many collected bytes a head the rewrite still wants more of goes through unchanged. */
const MAX_REWRITE_BYTES = 64 * 1024;
/**
 * A refused dial is retried this long. The proxy has already accepted, so a refusal could only reach the
 * dialler as a reset after a "successful" connect, which servers treat worse than ECONNREFUSED (a learner
 * retries a refused connect to a leader that has not bound its quorum port yet, but gives up the whole
 * election round on a reset registration).
 */
const REFUSED_RETRY_MS = 3000;
const REFUSED_RETRY_INTERVAL_MS = 100;

export class LinkConnection {
  /** Resolves once both sockets have closed. */
  readonly done: Promise<void>;
  private readonly policy: LinkPolicy;
  private readonly source: Socket;
  /** Set once connected: bytes toward the target wait in `held` until then. */
  private upstream: Socket | undefined;
  private dialing: Socket | undefined;
  private dialStartedAt = 0;
  private redial: ReturnType<typeof setTimeout> | undefined;
  private readonly lines: Record<LinkDirection, DelayLine<Item>>;
  private readonly held: Record<LinkDirection, Item[]> = { toTarget: [], fromTarget: [] };
  /** Bytes accepted from either side and not yet written on. */
  private queuedBytes = 0;
  private head: Uint8Array | undefined;
  private rewriting: boolean;
  private openSockets = 0;
  private finished = false;
  private resolveDone!: () => void;

  constructor(policy: LinkPolicy, source: Socket) {
    this.policy = policy;
    this.source = source;
    this.rewriting = policy.rewrite !== undefined;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.lines = {
      toTarget: new DelayLine((item) => this.arrive('toTarget', item)),
      fromTarget: new DelayLine((item) => this.arrive('fromTarget', item)),
    };
    this.watch(source, 'toTarget', (chunk) => this.fromSource(chunk));
    // A partition drops SYNs too: the target hears of a connection made during a cut only once healed.
    if (!policy.isCut()) this.guard(() => this.connectUpstream());
  }

  /** Delivers what the gates held, in order, and connects to the target if that is still to do. */
  release(): void {
    this.guard(() => {
      if (this.finished) return;
      this.connectUpstream();
      this.flush('toTarget');
      this.flush('fromTarget');
    });
  }

  /** Destroys both sockets and drops everything queued. Idempotent. */
  destroy(): void {
    if (this.finished && this.openSockets === 0) return;
    this.finished = true;
    this.lines.toTarget.clear();
    this.lines.fromTarget.clear();
    this.held.toTarget = [];
    this.held.fromTarget = [];
    this.queuedBytes = 0;
    clearTimeout(this.redial);
    this.dialing?.destroy();
    this.source.destroy();
    this.upstream?.destroy();
    if (this.openSockets === 0) this.finish();
  }

  private connectUpstream(): void {
    if (this.upstream || this.dialing || this.redial) return;
    this.dialStartedAt = performance.now();
    this.dial();
  }

  private dial(): void {
    this.redial = undefined;
    if (this.finished) return;
    const { host, port } = this.policy.target();
    const socket = createConnection({ host, port, noDelay: true, allowHalfOpen: true });
    this.dialing = socket;
    socket.once('connect', () =>
      this.guard(() => {
        socket.removeAllListeners('error');
        this.dialing = undefined;
        this.upstream = socket;
        this.watch(socket, 'fromTarget', (chunk) => this.push('fromTarget', chunk));
        if (!this.policy.isCut()) this.flush('toTarget');
      }),
    );
    socket.once('error', (err: NodeJS.ErrnoException) =>
      this.guard(() => {
        socket.destroy();
        this.dialing = undefined;
        const retry = err.code === 'ECONNREFUSED' && performance.now() - this.dialStartedAt < REFUSED_RETRY_MS;
        if (!retry) this.destroy();
        else if (!this.finished) this.redial = setTimeout(() => this.guard(() => this.dial()), REFUSED_RETRY_INTERVAL_MS);
      }),
    );
  }

  private watch(socket: Socket, direction: LinkDirection, onData: (chunk: Uint8Array) => void): void {
    this.openSockets++;
    socket.on('data', (chunk: Buffer) => this.guard(() => onData(chunk)));
    socket.on('end', () => this.guard(() => this.endFrom(direction)));
    // The peer of a reset socket is reset too, in its turn in the stream (so a cut holds it).
    socket.on('error', () => this.guard(() => this.push(direction, 'reset')));
    socket.on('close', () => {
      if (--this.openSockets === 0) this.finish();
    });
  }

  private fromSource(chunk: Uint8Array): void {
    if (!this.rewriting) {
      this.push('toTarget', chunk);
      return;
    }
    const head = this.head ? Buffer.concat([this.head, chunk]) : chunk;
    const rewritten = this.policy.rewrite!(head);
    if (rewritten === undefined && head.length < MAX_REWRITE_BYTES) {
      this.head = head;
      return;
    }
    this.rewriting = false;
    this.head = undefined;
    this.push('toTarget', rewritten ?? head);
  }

  private endFrom(direction: LinkDirection): void {
    if (direction === 'toTarget' && this.head) {
      // The source ended inside the head: it goes through as it came.
      this.push('toTarget', this.head);
      this.head = undefined;
      this.rewriting = false;
    }
    this.push(direction, 'end');
  }

  private push(direction: LinkDirection, item: Item): void {
    if (this.finished) return;
    if (typeof item !== 'string') {
      this.queuedBytes += item.length;
      // Bounded memory: a partition that outlasts the cap loses the connection, as TCP would in the end.
      if (this.queuedBytes > this.policy.maxHeldBytes) {
        this.destroy();
        return;
      }
    }
    this.lines[direction].push(item, this.policy.delayMs(direction));
  }

  private arrive(direction: LinkDirection, item: Item): void {
    this.guard(() => {
      const held = this.held[direction];
      if (this.policy.isCut() || held.length > 0 || this.destination(direction) === undefined) held.push(item);
      else this.write(direction, [item]);
    });
  }

  private flush(direction: LinkDirection): void {
    const items = this.held[direction];
    if (items.length === 0 || this.destination(direction) === undefined) return;
    this.held[direction] = [];
    this.write(direction, items);
  }

  private destination(direction: LinkDirection): Socket | undefined {
    return direction === 'toTarget' ? this.upstream : this.source;
  }

  /** Writes corked, so a healed backlog leaves as one segment where it fits (the Java side reads eagerly). */
  private write(direction: LinkDirection, items: readonly Item[]): void {
    const to = this.destination(direction)!;
    const from = direction === 'toTarget' ? this.source : this.upstream;
    to.cork();
    try {
      for (const item of items) {
        if (this.finished || to.destroyed) return;
        if (item === 'end') to.end();
        else if (item === 'reset') {
          this.destroy();
          return;
        } else {
          this.queuedBytes -= item.length;
          if (!to.write(item) && from && !from.isPaused()) {
            from.pause();
            to.once('drain', () => from.resume());
          }
        }
      }
    } finally {
      to.uncork();
    }
  }

  private finish(): void {
    if (this.openSockets > 0 && !this.finished) return;
    this.finished = true;
    this.lines.toTarget.clear();
    this.lines.fromTarget.clear();
    clearTimeout(this.redial);
    this.dialing?.destroy();
    this.resolveDone();
    this.policy.closed(this);
  }

  /** No exception may leave a socket callback: a failure ends this connection only. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch {
      this.destroy();
    }
  }
}
