/**
 * Host rotation with re-resolution, after the Java client's StaticHostProvider.
 *
 * Every address a host name resolves to is an endpoint of its own: it counts once when shuffling and
 * once in the connect-timeout division (`size`), as StaticHostProvider did before ZOOKEEPER-2184. The
 * name is also resolved again on every attempt, as StaticHostProvider has done since ZOOKEEPER-2184, so
 * a server that moved to a new address is found without restarting the client.
 *
 * A pass hands out every endpoint once, in shuffled order. At the start of each pass all names are
 * resolved again (in parallel) and the endpoint list is rebuilt from the answers: names that now
 * resolve to more or fewer addresses change the list (and `size`) there, never in the middle of a pass.
 * An unchanged list keeps its order, as Java keeps its one shuffle; a changed one is shuffled afresh.
 * Within a pass, each next() resolves the chosen endpoint's name again: its address is kept while the
 * name still resolves to it, and replaced by one of the new addresses otherwise.
 *
 * A failed or empty resolution falls back to the name's last known addresses (logged). A name that
 * never resolved contributes no endpoint; only when no name has an address does next() reject, with
 * NoHostsError, and the following call tries every name again. IP literals are never resolved, and
 * without a resolver names are dialled as written (the transport resolves them itself).
 *
 * No timers: a slow resolver is bounded by the caller's signal.
 */
import { InvalidArgumentError, NoHostsError } from '../errors.js';
import type { HostAddress } from './connect-string.js';

export interface Endpoint {
  /** What to dial: an address, or the name as written when it is an IP literal or nothing resolves names. */
  readonly host: string;
  readonly port: number;
  /** The host as written in the connect string: for logs and TLS server-name checks. */
  readonly name: string;
}

/** An endpoint for messages: `address:port`, after the name as written when that differs. */
export function describe(endpoint: Endpoint): string {
  const at = address(endpoint);
  return endpoint.name === endpoint.host ? at : `${endpoint.name} (${at})`;
}

/** All addresses of a host name (IP literals as strings); rejects when the name cannot be resolved. */
export type Resolver = (host: string) => Promise<string[]>;

/** Matches the session's Logger, so it can be passed as is. */
export type HostLog = (level: 'debug' | 'warn', message: string, fields: Record<string, unknown>) => void;

export interface HostProviderOptions {
  /** Uniform in [0, 1); drives the shuffle and the choice among new addresses. */
  random: () => number;
  resolve?: Resolver | undefined;
  log?: HostLog | undefined;
}

interface Named {
  readonly name: string;
  readonly port: number;
  readonly literal: boolean;
  /** The last non-empty resolution; undefined until one succeeds. */
  addresses: string[] | undefined;
}

interface Slot {
  readonly named: Named;
  endpoint: Endpoint;
}

export class HostProvider {
  private readonly names: Named[];
  private readonly resolver: Resolver | undefined;
  private readonly random: () => number;
  private readonly log: HostLog;
  private slots: Slot[] = [];
  /** Position in `slots` of the endpoint handed out last; the pass ends after the last slot. */
  private index = -1;
  /** next() calls run one at a time, so concurrent callers never share a half-updated list. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(hosts: readonly HostAddress[], options: HostProviderOptions) {
    if (hosts.length === 0) throw new InvalidArgumentError('no hosts');
    const seen = new Set<string>();
    this.names = [];
    for (const { host, port } of hosts) {
      const key = endpointKey(host, port);
      if (seen.has(key)) continue;
      seen.add(key);
      const literal = isIpLiteral(host);
      this.names.push({ name: host, port, literal, addresses: literal ? [host] : undefined });
    }
    this.resolver = options.resolve;
    this.random = options.random;
    this.log = options.log ?? (() => {});
    if (this.resolver === undefined) {
      // Nothing to resolve: the endpoints are the hosts as written, shuffled once.
      this.slots = shuffle(
        this.names.map((named) => ({ named, endpoint: asWritten(named) })),
        this.random,
      );
    }
  }

  /**
   * Endpoints counted for the connect-timeout division: those of the current pass, or the distinct
   * connect-string hosts before the first pass has been resolved. May change when next() starts a pass.
   */
  get size(): number {
    return this.slots.length > 0 ? this.slots.length : this.names.length;
  }

  /** The current pass's endpoints, in rotation order (empty before the first pass is resolved). */
  get endpoints(): readonly Endpoint[] {
    return this.slots.map((slot) => slot.endpoint);
  }

  /**
   * The endpoint to try next, its name freshly resolved.
   *
   * Notable errors: NoHostsError when no connect-string host resolves to any address (calling again
   * retries every name); `signal.reason` when the signal aborts first (the resolution is abandoned).
   */
  next(signal?: AbortSignal): Promise<Endpoint> {
    const run = this.tail.then(() => this.step(signal));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async step(signal: AbortSignal | undefined): Promise<Endpoint> {
    signal?.throwIfAborted();
    if (this.resolver === undefined) {
      this.index = (this.index + 1) % this.slots.length;
      return this.slots[this.index]!.endpoint;
    }
    if (this.index + 1 >= this.slots.length) {
      // The pass start resolved every name just now: no second lookup for the first endpoint.
      await this.startPass(this.resolver, signal);
      this.index = 0;
      return this.slots[0]!.endpoint;
    }
    this.index++;
    return this.refresh(this.resolver, this.slots[this.index]!, signal);
  }

  private async startPass(resolver: Resolver, signal: AbortSignal | undefined): Promise<void> {
    const failures = await abortable(Promise.all(this.names.map((named) => this.resolveName(resolver, named))), signal);
    const fresh: Slot[] = [];
    const seen = new Set<string>();
    for (const named of this.names) {
      for (const host of named.addresses ?? []) {
        const key = endpointKey(host, named.port);
        if (seen.has(key)) continue; // two names for one server count once
        seen.add(key);
        fresh.push({ named, endpoint: { host, port: named.port, name: named.name } });
      }
    }
    if (fresh.length === 0) {
      const reasons = this.names.map((n, i) => `${n.name}:${n.port} (${reasonOf(failures[i])})`).join(', ');
      throw new NoHostsError(`no address for any host: ${reasons}`, {
        cause: new AggregateError(
          failures.filter((f) => f !== undefined),
          'host resolution failed',
        ),
      });
    }
    const before = new Set(this.slots.map((s) => endpointKey(s.endpoint.host, s.endpoint.port)));
    const unchanged = before.size === seen.size && [...seen].every((key) => before.has(key));
    if (!unchanged) {
      if (this.slots.length > 0) this.log('debug', 'host addresses changed', { endpoints: fresh.map(label) });
      this.slots = shuffle(fresh, this.random);
    }
  }

  /** Updates `named.addresses`; returns why the name gave no fresh answer, or undefined if it did. */
  private async resolveName(resolver: Resolver, named: Named): Promise<unknown> {
    if (named.literal) return undefined;
    const outcome = await lookup(resolver, named.name);
    if (outcome.ok) {
      named.addresses = outcome.addresses;
      return undefined;
    }
    this.logFailure(named, outcome.error);
    return outcome.error;
  }

  private async refresh(resolver: Resolver, slot: Slot, signal: AbortSignal | undefined): Promise<Endpoint> {
    const { named, endpoint } = slot;
    if (named.literal) return endpoint;
    const outcome = await abortable(lookup(resolver, named.name), signal);
    if (!outcome.ok) {
      this.logFailure(named, outcome.error);
      return endpoint;
    }
    const addresses = outcome.addresses;
    named.addresses = addresses;
    if (addresses.includes(endpoint.host)) return endpoint;
    // Prefer an address no other endpoint of this name holds, so the pass still covers each one once.
    const taken = new Set(this.slots.filter((s) => s !== slot && s.named === named).map((s) => s.endpoint.host));
    const free = addresses.filter((address) => !taken.has(address));
    const pool = free.length > 0 ? free : addresses;
    const host = pool[Math.min(pool.length - 1, Math.floor(this.random() * pool.length))]!;
    this.log('debug', 'host address changed', { host: named.name, from: endpoint.host, to: host });
    slot.endpoint = { host, port: named.port, name: named.name };
    return slot.endpoint;
  }

  private logFailure(named: Named, reason: unknown): void {
    const fields = { host: named.name, error: reason, lastKnown: named.addresses ?? [] };
    if (named.addresses === undefined) this.log('warn', 'cannot resolve host; skipping it', fields);
    else this.log('warn', 'cannot resolve host; using its last known addresses', fields);
  }
}

/** True for IPv4 dotted quads and anything with a colon (IPv6, which host names cannot contain). */
export function isIpLiteral(host: string): boolean {
  if (host.includes(':')) return true;
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

type Lookup = { ok: true; addresses: string[] } | { ok: false; error: unknown };

/** The distinct addresses, in order; an error when the name has none (a rejection or an empty answer). */
async function lookup(resolver: Resolver, name: string): Promise<Lookup> {
  try {
    const addresses = [...new Set(await resolver(name))];
    if (addresses.length > 0) return { ok: true, addresses };
    return { ok: false, error: new Error(`${name} resolved to no address`) };
  } catch (error) {
    return { ok: false, error };
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function asWritten(named: Named): Endpoint {
  return { host: named.name, port: named.port, name: named.name };
}

function endpointKey(host: string, port: number): string {
  return `${port} ${host.toLowerCase()}`;
}

function label(slot: Slot): string {
  const at = address(slot.endpoint);
  return slot.endpoint.host === slot.endpoint.name ? at : `${slot.endpoint.name}/${at}`;
}

/** host:port, an IPv6 address in brackets. */
function address({ host, port }: Endpoint): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function reasonOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
