/**
 * Every server process and temp dir the harness creates in this Node process, so they can be removed
 * even when a test fails or the run is interrupted. Only PIDs registered here are ever signalled.
 */
import { rmSync } from 'node:fs';

const pids = new Set<number>();
const dirs = new Set<string>();
let installed = false;

export function trackPid(pid: number): void {
  installHandlers();
  pids.add(pid);
}

/** Called once the child has been reaped: its PID may be reused from then on, so it must never be signalled. */
export function untrackPid(pid: number): void {
  pids.delete(pid);
}

export function trackDir(dir: string): void {
  installHandlers();
  dirs.add(dir);
}

export function untrackDir(dir: string): void {
  dirs.delete(dir);
}

/** PIDs still alive as far as this process knows (for tests and diagnostics). */
export function trackedPids(): number[] {
  return [...pids];
}

/** Synchronous last resort: SIGKILL every tracked server, remove every tracked dir. */
export function killAllTrackedSync(): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  pids.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort at exit.
    }
  }
  dirs.clear();
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllTrackedSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllTrackedSync();
      process.removeListener(signal, onSignal);
      // Adding a listener suppressed Node's default exit; restore it unless someone else (vitest) handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
