/**
 * The session's one timer, ticking a dozen times per session timeout (10 ms .. 1 s): while connected it
 * drops a server that has been silent for the read timeout and pings when nothing was sent for the ping
 * interval; while disconnected it declares the session expired once no server was heard from for the
 * expiry timeout (timeouts.ts has the why of each); and it fails requests past their deadline.
 */
import { ConnectionLossError } from '../errors.js';
import type { Clock, TimerHandle } from './clock.js';
import type { Connection } from './connection.js';
import type { SessionTimeouts } from './timeouts.js';

export interface TickerHost {
  readonly clock: Clock;
  readonly connection: Connection;
  /** The session timeout T in force (the requested one until a server negotiated one), and its timers. */
  sessionTimeout(): number;
  timeouts(): SessionTimeouts;
  /** The session is over: stop ticking. */
  ended(): boolean;
  /** A global session exists (a read-write server was seen, ClientCnxn seenRwServerBefore): it can expire. */
  mayExpire(): boolean;
  /** The current connection is dead (read timeout): drop it. */
  lost(cause: Error): void;
  /** No server heard from for the expiry timeout: the session is over. */
  expired(message: string): void;
  /** Fails requests past their deadline (RequestPipeline.sweep). */
  sweep(now: number): void;
}

export class Ticker {
  private timer: TimerHandle | undefined;
  private readonly host: TickerHost;

  constructor(host: TickerHost) {
    this.host = host;
  }

  /** (Re)starts ticking at the interval of the session timeout in force. */
  arm(): void {
    const { clock } = this.host;
    if (this.timer !== undefined) clock.clearTimeout(this.timer);
    if (this.host.ended()) return;
    const interval = Math.min(1000, Math.max(10, Math.floor(this.host.sessionTimeout() / 12)));
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      this.tick();
      this.arm();
    }, interval);
  }

  stop(): void {
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const { connection: c, clock } = this.host;
    const now = clock.now();
    const timeouts = this.host.timeouts();
    if (c.established) {
      if (now - c.lastRecv >= timeouts.readTimeout) {
        this.host.lost(new ConnectionLossError(`nothing heard from ${c.remote} for ${Math.round(now - c.lastRecv)} ms (read timeout)`));
      } else if (now - c.lastSend >= timeouts.pingInterval && !c.pinging) {
        c.ping(now);
      }
    } else if (this.host.mayExpire() && now - c.lastRecv >= timeouts.expiryTimeout) {
      // Disconnected for a whole session timeout: the server has expired the session (or will have).
      this.host.expired(`no server heard from for ${Math.round(now - c.lastRecv)} ms: session expired`);
      return;
    }
    this.host.sweep(now);
  }
}
