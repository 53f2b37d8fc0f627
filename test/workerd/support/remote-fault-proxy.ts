/**
 * FaultProxy for tests running inside workerd, where `../support/proxy/index.js` resolves here
 * (vitest.workers.config.ts). The proxy itself runs in Node (fault-control.ts); this class has the same
 * methods and drives it over HTTP.
 *
 * The Node FaultProxy's setters are synchronous: a test calls `proxy.refuse(true)` and connects at once.
 * Over HTTP a setter takes a round trip, so each call here is queued on one chain of control calls, and
 * the test transport (node-entry.ts) holds connects and writes until that chain has been applied: a
 * setter still applies before any byte the test sends after it. Cut rules resolve, as in Node, once the
 * cut happened (the rule itself is armed before later bytes leave).
 *
 * Read back without a round trip, from what the test transport saw on connections to this proxy's port:
 * `accepted` (connections opened while not refusing) and `requestCounts()` (frames written while not
 * black-holed, by opcode; the ConnectRequest as 'connect'). The Node proxy counts frames on arrival; here
 * they count when written, which the tests' waits (untilSeen) treat the same.
 */
import { inject } from 'vitest';

export type Direction = 'toServer' | 'toClient';
export interface ProxyTarget {
  host: string;
  port: number;
}
export interface FaultProxyOptions {
  target: ProxyTarget;
}
export interface Latency {
  toServer?: number;
  toClient?: number;
}
export type RequestKey = number | 'connect';

let chain: Promise<void> = Promise.resolve();
let inFlight = 0;
const byPort = new Map<number, FaultProxy>();

/** True while control calls are on their way: the test transport holds bytes until controlApplied(). */
export function controlPending(): boolean {
  return inFlight > 0;
}

/** Resolves once every control call made so far has been applied by the Node side. */
export function controlApplied(): Promise<void> {
  return chain;
}

/** The proxy listening on `port`, if a test started one. */
export function proxyAt(port: number): FaultProxy | undefined {
  return byPort.get(port);
}

async function post(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${inject('faultControl')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!response.ok) throw new Error(`fault control ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Queues a control call. A failed setter surfaces as an unhandled rejection, which fails the run. */
function enqueue<T>(call: () => Promise<T>): Promise<T> {
  inFlight++;
  const result = chain.then(call);
  chain = result
    .then(
      () => undefined,
      () => undefined,
    )
    .finally(() => {
      inFlight--;
    });
  return result;
}

export class FaultProxy {
  readonly port: number;
  private readonly id: number;
  private acceptedCount = 0;
  private refusing = false;
  private blackholed = false;
  private readonly counts = new Map<RequestKey, number>();
  private closing: Promise<void> | undefined;

  private constructor(id: number, port: number) {
    this.id = id;
    this.port = port;
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const { id, port } = await enqueue(() => post('/proxies', { target: options.target }));
    const proxy = new FaultProxy(Number(id), Number(port));
    byPort.set(proxy.port, proxy);
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get accepted(): number {
    return this.acceptedCount;
  }

  setLatency(latency: Latency): void {
    this.call('setLatency', latency);
  }

  blackhole(on: boolean): void {
    this.blackholed = on;
    this.call('blackhole', on);
  }

  refuse(on: boolean): void {
    this.refusing = on;
    this.call('refuse', on);
  }

  resetAll(): void {
    this.call('resetAll');
  }

  clearRules(): void {
    this.call('clearRules');
  }

  cutAfterBytes(options: { direction: Direction; bytes: number }): Promise<void> {
    return this.cut('cutAfterBytes', options);
  }

  cutAfterReplyTo(xid: number): Promise<void> {
    return this.cut('cutAfterReplyTo', xid);
  }

  dropReplyTo(xid: number): Promise<void> {
    return this.cut('dropReplyTo', xid);
  }

  requestCounts(): Map<RequestKey, number> {
    return new Map(this.counts);
  }

  resetCounts(): void {
    this.counts.clear();
  }

  close(): Promise<void> {
    this.closing ??= enqueue(() => post(`/proxies/${this.id}/close`)).then(() => {
      byPort.delete(this.port);
    });
    return this.closing;
  }

  /** The test transport opened a connection to this proxy. */
  opened(): void {
    if (!this.refusing) this.acceptedCount++;
  }

  /** The test transport wrote a whole frame to this proxy (`index` counts the connection's frames). */
  frame(index: number, payload: Uint8Array): void {
    if (this.blackholed) return;
    let key: RequestKey;
    if (index === 0) key = 'connect';
    else if (payload.length >= 8) key = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getInt32(4);
    else return;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  private call(method: string, ...args: unknown[]): void {
    void enqueue(() => post(`/proxies/${this.id}/call`, { method, args }));
  }

  private cut(method: string, arg: unknown): Promise<void> {
    const armed = enqueue(() => post(`/proxies/${this.id}/call`, { method, args: [arg] }));
    // As in Node, the promise never rejects once armed, and stays pending if the cut never happens
    // (the control server drops the request at teardown).
    return armed.then(async ({ ticket }) => {
      try {
        const response = await fetch(`${inject('faultControl')}/tickets/${String(ticket)}`);
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // fall through
      }
      await new Promise<never>(() => {});
    });
  }
}
