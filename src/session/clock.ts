/**
 * Time and timers, injected so unit tests can drive the session deterministically on any runtime.
 * `now()` is monotonic milliseconds (performance.now()): lease bounds are computed in this clock.
 */
export type TimerHandle = ReturnType<typeof setTimeout>;

/** Time and timers for the session (`ConnectOptions.clock`, for tests); the default is the system's. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `fn` after `ms`, as the global setTimeout. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer of `setTimeout`. */
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};
