/**
 * Bounded polling: the harness waits on conditions (a 4lw answer, a leader), never on fixed sleeps.
 */
export interface WaitOptions {
  /** Hard bound; already scaled by the caller. */
  timeoutMs: number;
  /** Pause between probes. */
  intervalMs?: number;
  /** Says what was awaited, for the timeout error. */
  what: string;
  /** Extra text for the timeout error (e.g. a server's log tail). */
  detail?: () => string;
  /** Checked before every probe: a string ends the wait at once with that reason (e.g. "the process exited"). */
  abortIf?: () => string | undefined;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `probe` until it returns something other than undefined, or throws once `timeoutMs` has passed.
 * A probe that throws counts as "not yet"; its last error goes into the timeout message.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 50;
  let lastError: unknown;
  for (;;) {
    const abort = opts.abortIf?.();
    if (abort !== undefined) {
      throw new Error(`gave up waiting for ${opts.what}: ${abort}${opts.detail ? `\n${opts.detail()}` : ''}`);
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await delay(Math.min(interval, left));
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  const detail = opts.detail ? `\n${opts.detail()}` : '';
  throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${cause}${detail}`);
}
