/**
 * What every adapter owes the sink, in one place: reads that arrive before `start()` are kept and handed
 * over in order; a sink that throws is caught (it must not, and nothing may escape a socket callback),
 * and the connection is then ended with that error; `closed` is called exactly once, with the first
 * reason recorded, and nothing is delivered after it. Runtime-neutral: the adapters own the sockets.
 */
import type { TransportSink } from '../types.js';

export interface SinkRelayOptions {
  /** The sink threw from `data`: end the connection (the error is already recorded as the reason). */
  sinkThrew(error: Error): void;
  /**
   * Tell the sink `closed` on a later microtask rather than from inside `end()`: for runtimes that end a
   * connection synchronously from inside the caller's close() or write() (Node never does).
   */
  deferClosed?: boolean;
}

export class SinkRelay {
  private sink: TransportSink | undefined;
  private early: Uint8Array[] = [];
  private isEnded = false;
  private notified = false;
  private reason: Error | undefined;
  private readonly options: SinkRelayOptions;

  constructor(options: SinkRelayOptions) {
    this.options = options;
  }

  /** True once `end()` was called: nothing more is delivered. */
  get ended(): boolean {
    return this.isEnded;
  }

  /** Hands over the reads kept so far, then every later one; says `closed` now if the connection has ended. Once. */
  start(sink: TransportSink): void {
    if (this.sink !== undefined) return;
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const chunk of early) {
      if (!this.deliver(chunk)) break;
    }
    if (this.isEnded) this.notifyClosed();
  }

  /** A read: kept until start(), dropped after end(). False when the sink threw (the connection is then ending). */
  data(chunk: Uint8Array): boolean {
    if (this.isEnded) return false;
    if (this.sink === undefined) {
      this.early.push(chunk);
      return true;
    }
    return this.deliver(chunk);
  }

  /** Drops the reads kept for start(): the caller closed the connection before reading it. */
  discardUnread(): void {
    this.early = [];
  }

  /** Records why the connection ends, unless a reason is recorded already (the first one is the cause). */
  fail(error: Error | undefined): void {
    this.reason ??= error;
  }

  /**
   * The connection is over: nothing more is taken, and the sink hears `closed` once, with the first reason
   * (after the reads kept for it, if start() has not come yet: a server's last reply before its close counts).
   */
  end(error?: Error): void {
    if (this.isEnded) return;
    this.isEnded = true;
    this.reason ??= error;
    if (this.sink === undefined) return;
    if (this.options.deferClosed === true) queueMicrotask(() => this.notifyClosed());
    else this.notifyClosed();
  }

  private deliver(chunk: Uint8Array): boolean {
    try {
      this.sink!.data(chunk);
      return true;
    } catch (err) {
      // A sink must not throw; if it does, the connection is no longer trustworthy.
      const error = err instanceof Error ? err : new Error(String(err));
      this.reason ??= error;
      this.options.sinkThrew(error);
      return false;
    }
  }

  private notifyClosed(): void {
    if (this.notified) return;
    this.notified = true;
    try {
      this.sink!.closed(this.reason);
    } catch {
      // Nothing can be done with a throwing sink at this point; never let it escape a socket callback.
    }
  }
}
