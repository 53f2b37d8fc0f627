/**
 * A manual Clock for unit tests: time moves only when the test calls `advance`. Due timers fire in
 * deadline order (ties in the order they were set), each with `now()` equal to its deadline, and the
 * promise continuations a timer triggers run before the next timer fires, as they would in real time.
 * Nothing here reads the real clock, so a run is the same every time and on every machine.
 */
import type { Clock, TimerHandle } from '../../src/session/clock.js';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** Lets every queued microtask (promise continuation) run: setImmediate comes after the whole queue. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private t: number;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  constructor(start = 1000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.t + Math.max(0, ms), fn });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as number);
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, including ones set meanwhile. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await settle();
    // Bounded: a timer that keeps re-arming itself at 0 ms would otherwise spin forever.
    for (let fired = 0; fired < 100_000; fired++) {
      const next = this.earliest();
      if (next === undefined || next.at > target) break;
      this.timers.delete(next.id);
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = target;
    await settle();
  }

  /** Advances in steps of `step` ms until `done()` holds or `limit` ms have passed; returns whether it held. */
  async advanceUntil(done: () => boolean, limit: number, step = 10): Promise<boolean> {
    for (let spent = 0; spent <= limit; spent += step) {
      if (done()) return true;
      await this.advance(step);
    }
    return done();
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers.values()) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.id < best.id)) best = timer;
    }
    return best;
  }
}
