/**
 * The fenced store: the resource outside the lock that every holder works on while it holds, so the
 * benchmark's mutual-exclusion check can fail (also at hold 0, and across processes and languages).
 * A TCP service on loopback started by the orchestrator; the line protocol is in protocol.ts:
 *
 *   `E <lockId> <token> <kind> <holder>` → `OK` or `STALE`;  `X <lockId> <token> <holder>` → `OK`.
 *
 * Per lock it keeps the holders inside and the highest tokens it accepted, and counts, as the store
 * sees them in its own order of events:
 *  - overlaps: an exclusive holder enters while anyone is inside, or a shared one while an exclusive one is;
 *  - stale writes: an exclusive holder with a token not above every token accepted so far, or a shared one
 *    with a token not above every exclusive token accepted (a fencing store rejects those: `STALE`).
 * A correct lock gives 0 of both; the lines of one connection are answered in order.
 *
 * On request (record()) it also keeps, per lock, the time of every accepted enter on its own clock
 * (performance.now()): the hand-off timeline the fault runs need (bench/lock/faults), on the same clock
 * as the orchestrator that injects the faults, since both run in one process.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';

export interface LockStats {
  enters: number;
  overlaps: number;
  stale: number;
  /** Up to five descriptions of what went wrong. */
  examples: string[];
}

interface LockState extends LockStats {
  inside: Map<string, { token: bigint; kind: 'w' | 'r' }>;
  writersInside: number;
  maxAny: bigint;
  maxWriter: bigint;
  /** performance.now() of every accepted enter, once record() asked for it. */
  times: number[] | undefined;
}

const NONE = -1n;

export class FencedStore {
  private readonly server: Server;
  private readonly locks = new Map<string, LockState>();
  private readonly sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.server = server;
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(): Promise<FencedStore> {
    const server = createServer({ noDelay: true });
    const store = new FencedStore(server);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    return store;
  }

  /** `host:port`. */
  get address(): string {
    const a = this.server.address() as AddressInfo;
    return `127.0.0.1:${a.port}`;
  }

  /** What the store saw for `lockId` (all zeros when nobody entered). */
  stats(lockId: string): LockStats {
    const s = this.locks.get(lockId);
    return s === undefined
      ? { enters: 0, overlaps: 0, stale: 0, examples: [] }
      : { enters: s.enters, overlaps: s.overlaps, stale: s.stale, examples: [...s.examples] };
  }

  /** From now on, keeps the time of every accepted enter on `lockId` (times before this are dropped). */
  record(lockId: string): void {
    this.state(lockId).times = [];
  }

  /** The times (performance.now(), ms) of the accepted enters on `lockId` since record(), in order. */
  timeline(lockId: string): number[] {
    return [...(this.locks.get(lockId)?.times ?? [])];
  }

  /** Forgets a lock (after its cell). */
  forget(lockId: string): void {
    this.locks.delete(lockId);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let nl: number;
      let replies = '';
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        replies += `${this.handle(line)}\n`;
      }
      if (replies !== '') socket.write(replies);
      if (buffered.length > 4096) socket.destroy(); // not this protocol
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** One request line; returns the reply (without its newline). */
  handle(line: string): string {
    const parts = line.trim().split(' ');
    const [op, lockId, rawToken] = parts;
    if (lockId === undefined || rawToken === undefined) return 'ERR bad request';
    let token: bigint;
    try {
      token = BigInt(rawToken);
    } catch {
      return 'ERR bad token';
    }
    const s = this.state(lockId);
    if (op === 'E') {
      const kind = parts[3] === 'r' ? 'r' : 'w';
      const holder = parts[4] ?? '?';
      s.enters++;
      if (kind === 'w' ? s.inside.size > 0 : s.writersInside > 0) {
        s.overlaps++;
        const others = [...s.inside.entries()].map(([h, v]) => `${h} (token ${v.token}, ${v.kind})`).join(', ');
        note(s, `${holder} entered with token ${token} (${kind}) while ${others} ${s.inside.size === 1 ? 'was' : 'were'} inside`);
      }
      const stale = kind === 'w' ? token <= s.maxAny : token <= s.maxWriter;
      if (stale) {
        s.stale++;
        note(s, `${holder} wrote with stale token ${token} (${kind}); highest accepted ${kind === 'w' ? s.maxAny : s.maxWriter}`);
      }
      // Inside either way: an overlap is about time, whatever the token says.
      s.inside.set(holder, { token, kind });
      if (kind === 'w') s.writersInside++;
      if (stale) return 'STALE';
      s.times?.push(performance.now());
      if (token > s.maxAny) s.maxAny = token;
      if (kind === 'w' && token > s.maxWriter) s.maxWriter = token;
      return 'OK';
    }
    if (op === 'X') {
      const holder = parts[3] ?? '?';
      const was = s.inside.get(holder);
      if (was !== undefined) {
        s.inside.delete(holder);
        if (was.kind === 'w') s.writersInside--;
      }
      return 'OK';
    }
    return 'ERR unknown op';
  }

  private state(lockId: string): LockState {
    let s = this.locks.get(lockId);
    if (s === undefined) {
      s = {
        enters: 0,
        overlaps: 0,
        stale: 0,
        examples: [],
        inside: new Map(),
        writersInside: 0,
        maxAny: NONE,
        maxWriter: NONE,
        times: undefined,
      };
      this.locks.set(lockId, s);
    }
    return s;
  }
}

function note(s: LockStats, message: string): void {
  if (s.examples.length < 5) s.examples.push(message);
}

// `npx tsx bench/lock/fenced-store.ts`: a store for trying a runner by hand; prints its address.
if (import.meta.url === `file://${process.argv[1]}`) {
  const store = await FencedStore.start();
  process.stdout.write(`${store.address}\n`);
  setInterval(() => {
    for (const id of (store as unknown as { locks: Map<string, LockState> }).locks.keys()) {
      const s = store.stats(id);
      process.stderr.write(`${id}: enters ${s.enters}, overlaps ${s.overlaps}, stale ${s.stale}\n`);
    }
  }, 5000).unref();
}
