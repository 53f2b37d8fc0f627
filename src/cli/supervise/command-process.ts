/// <reference types="node" />
/**
 * Runs CMD for `lock` and `elect` through the watchdog (watchdog.ts): stdio inherited, the environment
 * given, signals forwarded on request, `stop()` for a lost lock (SIGTERM, then SIGKILL after the
 * kill-after delay), and one promise for how it ended.
 */
import { spawn } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import type { FromWatchdog, ToWatchdog } from './protocol.js';
import { watchdogArgs } from './protocol.js';

/** How CMD ended: its exit code, the signal that ended it, or why it could not start. */
export type CommandOutcome =
  { kind: 'exited'; code: number } | { kind: 'signaled'; signal: string } | { kind: 'failed'; code: string; message: string };

export interface CommandProcess {
  /** Resolves once CMD has started (its pid), or undefined if it could not start. */
  readonly started: Promise<number | undefined>;
  readonly ended: Promise<CommandOutcome>;
  /** Sends CMD a signal (a forwarded Ctrl-C). */
  signal(signal: string): void;
  /** SIGTERM now, SIGKILL after the kill-after delay unless CMD has ended. */
  stop(): void;
}

/** The watchdog script beside this file: .ts when running from source (tsx), .js when built. */
function watchdogPath(): string {
  const self = import.meta.url;
  return fileURLToPath(new URL(self.endsWith('.ts') ? './watchdog.ts' : './watchdog.js', self));
}

export function startCommand(
  command: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  killAfterMs: number,
): CommandProcess {
  // zkts's own Node flags (a loader such as tsx when run from source), but not a debugger's port.
  const nodeArgs = process.execArgv.filter((a) => !/^--(inspect|debug)/.test(a));
  const watchdog = spawn(process.execPath, [...nodeArgs, watchdogPath(), ...watchdogArgs(killAfterMs, command)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env,
  });
  let resolveStarted!: (pid: number | undefined) => void;
  const started = new Promise<number | undefined>((resolve) => {
    resolveStarted = resolve;
  });
  let outcome: CommandOutcome | undefined;
  const ended = new Promise<CommandOutcome>((resolve) => {
    watchdog.on('message', (message: FromWatchdog) => {
      if (message.type === 'started') resolveStarted(message.pid);
      else if (message.type === 'error') outcome = { kind: 'failed', code: message.code, message: message.message };
      else if (message.type === 'exit') {
        outcome = message.signal !== null ? { kind: 'signaled', signal: message.signal } : { kind: 'exited', code: message.code ?? 1 };
      }
    });
    watchdog.on('error', (err: NodeJS.ErrnoException) => {
      outcome ??= { kind: 'failed', code: err.code ?? 'UNKNOWN', message: `cannot start the watchdog: ${err.message}` };
    });
    watchdog.on('close', (code, signal) => {
      resolveStarted(undefined);
      resolve(
        outcome ?? { kind: 'failed', code: 'WATCHDOG', message: `the watchdog ended (${signal ?? `exit ${code}`}) without CMD's outcome` },
      );
    });
  });
  const post = (message: ToWatchdog): void => {
    if (watchdog.connected) watchdog.send(message, (err) => void err);
  };
  return {
    started,
    ended,
    signal: (signal) => post({ type: 'signal', signal }),
    stop: () => post({ type: 'stop' }),
  };
}
