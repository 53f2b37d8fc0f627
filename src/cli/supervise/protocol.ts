/**
 * Messages between zkts and its watchdog process (see watchdog.ts), over Node's IPC channel.
 * zkts → watchdog: forward a signal, or stop CMD (SIGTERM, then SIGKILL after the kill-after delay).
 * watchdog → zkts: CMD started, could not start, or ended.
 */
export type ToWatchdog = { type: 'signal'; signal: string } | { type: 'stop' };

export type FromWatchdog =
  | { type: 'started'; pid: number }
  | { type: 'error'; code: string; message: string }
  | { type: 'exit'; code: number | null; signal: string | null };

/** The watchdog's argv after its script: the kill-after delay in ms, then CMD and its arguments. */
export function watchdogArgs(killAfterMs: number, command: readonly string[]): string[] {
  return [String(killAfterMs), ...command];
}
