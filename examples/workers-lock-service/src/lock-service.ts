/**
 * The Durable Object of the lock service: one object holds one ZooKeeper session, and every lock the
 * service hands out is a Mutex on that session (a contender node of its own per acquire, so acquirers
 * sharing the session still queue in order).
 *
 * Why a Durable Object. On Workers a socket belongs to the request that opened it; only a Durable Object
 * keeps sockets (and timers) across requests, for as long as the object lives. The session is opened on
 * the first request. While any lock is held or awaited, an alarm every KEEPALIVE_MS keeps the object
 * active (an alarm is an event; pending I/O alone keeps an object in memory only for a while). Once an
 * alarm finds nothing held or awaited, it closes the session cleanly (closeSession: ZooKeeper removes the
 * session's nodes at once); the next request opens a new one.
 *
 * Eviction. workerd does not evict the object for idleness while the session's socket and timers are
 * pending (observed with the test harness's evictDurableObject: it waits until the alarm has closed the
 * idle session). Restart. A deploy, a host move or a crash ends the instance with no chance to send
 * closeSession: the session, and every lock node it owns, ends when ZooKeeper expires it, one session
 * timeout later. Until then a new acquire of the same lock queues behind the dead session's node (give it
 * a timeout longer than the session timeout), then gets the lock with a larger fencing token. Every lease
 * handed out is written to durable storage, so a lease of a previous instance is reported lost (409,
 * reason `session-ended`) when its holder tries to release it.
 */
import { DurableObject } from 'cloudflare:workers';
import { AcquireTimeoutError, LockLostError, NoNodeError, connect, isTerminal, type ZooKeeper } from '../../../src/entry/workers.js';
import { type Lease, Mutex } from '../../../src/recipes/index.js';

export interface Env {
  LOCKS: DurableObjectNamespace<LockService>;
  /** `host:port[,host:port...]` of the ensemble. */
  ZK_CONNECT: string;
  /** Requested session timeout in ms (default 15000). */
  SESSION_TIMEOUT_MS?: string;
  /** Parent of the lock nodes (default /workers-lock-service). */
  LOCK_ROOT?: string;
}

const KEEPALIVE_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_TTL_MS = 60_000;

/** A lease as written to storage: enough to say later that it was lost. */
interface LeaseRecord {
  name: string;
  fencingToken: string;
  sessionId: string;
}

interface Held {
  name: string;
  token: string;
  lease: Lease;
  /** Wall-clock ms after which the service releases the lock by itself (a holder that crashed). */
  ttlUntil: number;
  ttlTimer: ReturnType<typeof setTimeout>;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export class LockService extends DurableObject<Env> {
  private zk: Promise<ZooKeeper> | undefined;
  private readonly held = new Map<string, Held>();
  /** Why a lease of this instance ended without a release, by token. */
  private readonly lost = new Map<string, string>();
  private waiting = 0;

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const match = /^\/locks\/([A-Za-z0-9_-]{1,64})(?:\/(acquire|release))?$/.exec(url.pathname);
    if (match === null) return json({ error: 'not found' }, 404);
    const [, name, action] = match as unknown as [string, string, string | undefined];
    try {
      if (action === 'acquire' && request.method === 'POST') return await this.acquire(name, await body(request));
      if (action === 'release' && request.method === 'POST') return await this.release(name, await body(request));
      if (action === undefined && request.method === 'GET') return await this.status(name);
      return json({ error: 'method not allowed' }, 405);
    } catch (err) {
      // ZooKeeper unreachable, or the session ended under the request: the caller may retry.
      return json({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, 503);
    }
  }

  /** Keep-alive: re-armed while anything is held or awaited; otherwise the session is closed. */
  override async alarm(): Promise<void> {
    if (this.held.size > 0 || this.waiting > 0) {
      await this.ctx.storage.setAlarm(Date.now() + KEEPALIVE_MS);
      return;
    }
    const zk = this.zk;
    this.zk = undefined;
    if (zk !== undefined) await (await zk.catch(() => undefined))?.close();
  }

  private async acquire(name: string, options: { timeoutMs?: unknown; ttlMs?: unknown }): Promise<Response> {
    const timeout = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS);
    const ttl = positive(options.ttlMs, DEFAULT_TTL_MS);
    const zk = await this.session();
    await this.ctx.storage.setAlarm(Date.now() + KEEPALIVE_MS);
    this.waiting++;
    let lease: Lease;
    try {
      lease = await new Mutex(zk, this.lockPath(name)).acquire({ timeout });
    } catch (err) {
      if (err instanceof AcquireTimeoutError) return json({ error: 'timeout', timeoutMs: timeout }, 408);
      throw err;
    } finally {
      this.waiting--;
    }
    const token = crypto.randomUUID();
    const record: LeaseRecord = { name, fencingToken: lease.fencingToken.toString(), sessionId: lease.sessionId.toString(16) };
    await this.ctx.storage.put(`lease:${token}`, record);
    const ttlUntil = Date.now() + ttl;
    // A holder that never releases (it crashed) loses the lock after its TTL; its record stays, so a late
    // release is told why.
    const ttlTimer = setTimeout(() => {
      if (!this.held.delete(token)) return;
      this.lost.set(token, 'ttl-expired');
      void lease.release().catch(() => undefined);
    }, ttl);
    this.held.set(token, { name, token, lease, ttlUntil, ttlTimer });
    lease.signal.addEventListener('abort', () => {
      const reason = lease.signal.reason as unknown;
      if (this.held.delete(token)) {
        clearTimeout(ttlTimer);
        this.lost.set(token, reason instanceof LockLostError ? reason.reason : 'lost');
      }
    });
    return json({ token, fencingToken: record.fencingToken, validUntil: this.validUntil(zk, lease, ttlUntil), ttlUntil });
  }

  private async release(name: string, options: { token?: unknown }): Promise<Response> {
    const token = typeof options.token === 'string' ? options.token : '';
    const held = this.held.get(token);
    if (held !== undefined && held.name === name) {
      await this.drop(token);
      return json({ released: true });
    }
    const record = await this.ctx.storage.get<LeaseRecord>(`lease:${token}`);
    if (record === undefined || record.name !== name) return json({ error: 'no such lease' }, 404);
    await this.ctx.storage.delete(`lease:${token}`);
    // Handed out by this instance and lost since, or by an instance that was evicted or restarted.
    return json({ released: false, lost: true, reason: this.lost.get(token) ?? 'session-ended' }, 409);
  }

  private async status(name: string): Promise<Response> {
    const zk = await this.session();
    const dir = this.lockPath(name);
    let nodes: string[];
    try {
      nodes = (await zk.getChildren(dir)).sort((a, b) => sequence(a) - sequence(b));
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      nodes = [];
    }
    const first = nodes[0];
    if (first === undefined) return json({ holder: null, queueLength: 0 });
    const ours = [...this.held.values()].find((h) => h.lease.path === `${dir}/${first}`);
    const stat = ours === undefined ? await zk.exists(`${dir}/${first}`) : ours.lease.stat;
    const holder =
      stat === null
        ? null
        : { fencingToken: stat.czxid.toString(), validUntil: ours === undefined ? null : this.validUntil(zk, ours.lease, ours.ttlUntil) };
    return json({ holder, queueLength: nodes.length - 1 });
  }

  private async drop(token: string): Promise<void> {
    const held = this.held.get(token);
    if (held === undefined) return;
    this.held.delete(token);
    clearTimeout(held.ttlTimer);
    await this.ctx.storage.delete(`lease:${token}`);
    await held.lease.release();
  }

  /** The session, opened on first use and again after it ended (a new session: old leases are lost). */
  private session(): Promise<ZooKeeper> {
    const current = this.zk;
    if (current !== undefined) {
      return current.then((zk) => {
        if (!isTerminal(zk.state)) return zk;
        if (this.zk === current) this.zk = undefined;
        return this.session();
      });
    }
    const timeout = positive(Number(this.env.SESSION_TIMEOUT_MS), 15_000);
    const opening = connect(this.env.ZK_CONNECT, { sessionTimeout: timeout });
    this.zk = opening;
    opening.catch(() => {
      if (this.zk === opening) this.zk = undefined;
    });
    return opening;
  }

  private lockPath(name: string): string {
    return `${this.env.LOCK_ROOT ?? '/workers-lock-service'}/${name}`;
  }

  /** The lease bound in wall-clock ms (it is kept on the client's monotonic clock), capped by the TTL. */
  private validUntil(zk: ZooKeeper, lease: Lease, ttlUntil: number): number {
    return Math.min(ttlUntil, Math.floor(Date.now() + (lease.validUntil - zk.now())));
  }
}

async function body(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text === '') return {};
  const parsed = JSON.parse(text) as unknown;
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The sequence number a contender node's name ends with. */
function sequence(node: string): number {
  return Number(node.slice(-10));
}
