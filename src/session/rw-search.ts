/**
 * While connected to a read-only server, looks for a read-write one in the background, as ClientCnxn's
 * pingRwServer does: probe the next host with `isro` after 100 ms, then after twice as long each time up
 * to 60 s; the first host that answers "rw" is handed to `found` (the session then drops the read-only
 * connection and connects there, with a proper session). The interval starts over only after a find.
 */
import type { Clock, TimerHandle } from './clock.js';
import type { Endpoint } from './hosts.js';
import type { ServerMode } from './rw-probe.js';

const MIN_INTERVAL = 100;
const MAX_INTERVAL = 60_000;

export interface ReadWriteSearchHost {
  readonly clock: Clock;
  /** The next host to probe (host rotation); rejects when none can be found. */
  next(signal: AbortSignal): Promise<Endpoint>;
  /** Asks one host; undefined when it does not answer. */
  probe(endpoint: Endpoint, signal: AbortSignal): Promise<ServerMode | undefined>;
  /** A read-write host was found. */
  found(endpoint: Endpoint): void;
}

export class ReadWriteSearch {
  private interval = MIN_INTERVAL;
  private timer: TimerHandle | undefined;
  private abort: AbortController | undefined;
  private readonly host: ReadWriteSearchHost;

  constructor(host: ReadWriteSearchHost) {
    this.host = host;
  }

  get running(): boolean {
    return this.abort !== undefined;
  }

  /** Starts searching (idempotent). */
  start(): void {
    if (this.abort !== undefined) return;
    this.abort = new AbortController();
    this.schedule(this.abort);
  }

  /** Stops searching; a probe under way is abandoned. */
  stop(): void {
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    this.abort = undefined;
  }

  private schedule(abort: AbortController): void {
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = undefined;
      void this.round(abort);
    }, this.interval);
    this.interval = Math.min(2 * this.interval, MAX_INTERVAL);
  }

  private async round(abort: AbortController): Promise<void> {
    let mode: ServerMode | undefined;
    let endpoint: Endpoint | undefined;
    try {
      endpoint = await this.host.next(abort.signal);
      mode = await this.host.probe(endpoint, abort.signal);
    } catch {
      mode = undefined;
    }
    if (abort.signal.aborted) return;
    if (mode === 'rw' && endpoint !== undefined) {
      this.interval = MIN_INTERVAL;
      this.stop();
      this.host.found(endpoint);
      return;
    }
    this.schedule(abort);
  }
}
