/**
 * A contender's connection to the fenced store (fenced-store.ts; protocol in protocol.ts): the critical
 * section of the Node, Bun and Deno runners. One socket per contender, one request at a time, replies in
 * order.
 *
 * The socket is the runtime's own (node:net on Node, Bun.connect on Bun, Deno.connect on Deno, through
 * zkts's transports), whichever zkts entry the runner measures: the critical section then costs every
 * variant of a runtime the same, and each runtime its cheapest I/O. (On Deno, a node:net round trip costs
 * tens of microseconds of CPU more than a Deno.connect one, which the client-CPU figures would otherwise
 * charge to zkts.)
 */
import { bunTransport } from '../../src/transport/bun.js';
import { denoTransport } from '../../src/transport/deno.js';
import { nodeTransport } from '../../src/transport/node.js';
import type { Transport, TransportConnection } from '../../src/transport/types.js';

/** The transport for the runtime this process runs on. */
function runtimeTransport(): Transport {
  if ('Deno' in globalThis) return denoTransport;
  if ('Bun' in globalThis) return bunTransport;
  return nodeTransport;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('latin1');

export class StoreClient {
  private readonly conn: TransportConnection;
  private buffered = '';
  private waiting: ((line: string) => void) | undefined;
  private failure: Error | undefined;

  private constructor(conn: TransportConnection) {
    this.conn = conn;
    conn.start({
      data: (chunk) => {
        this.buffered += decoder.decode(chunk);
        const nl = this.buffered.indexOf('\n');
        if (nl === -1) return;
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const w = this.waiting;
        this.waiting = undefined;
        w?.(line);
      },
      closed: (error) => {
        this.failure ??= error ?? new Error('fenced store connection closed');
        const w = this.waiting;
        this.waiting = undefined;
        w?.('');
      },
    });
  }

  static async connect(address: string): Promise<StoreClient> {
    const colon = address.lastIndexOf(':');
    const host = address.slice(0, colon);
    const port = Number(address.slice(colon + 1));
    return new StoreClient(await runtimeTransport().connect({ host, port }));
  }

  /** Enters the critical section; true when the store accepted the token, false for STALE. */
  async enter(lockId: string, token: string, kind: 'w' | 'r', holder: string): Promise<boolean> {
    const reply = await this.request(`E ${lockId} ${token} ${kind} ${holder}`);
    if (reply === 'OK') return true;
    if (reply === 'STALE') return false;
    throw new Error(`fenced store: ${reply || 'no reply'}`);
  }

  async exit(lockId: string, token: string, holder: string): Promise<void> {
    const reply = await this.request(`X ${lockId} ${token} ${holder}`);
    if (reply !== 'OK') throw new Error(`fenced store: ${reply || 'no reply'}`);
  }

  close(): void {
    this.conn.close();
  }

  private request(line: string): Promise<string> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = (reply) => (this.failure !== undefined && reply === '' ? reject(this.failure) : resolve(reply));
      this.conn.write(encoder.encode(`${line}\n`));
    });
  }
}
