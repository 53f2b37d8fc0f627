/// <reference types="node" />
/**
 * The watchdog between zkts and CMD: a small Node process that zkts starts with an IPC channel, and that
 * starts CMD. It exists for one case: zkts ended by SIGKILL (or crashing). No process can catch its own
 * SIGKILL, so CMD would go on running after zkts's session expired and another process took the lock;
 * the watchdog sees the channel close and stops CMD (SIGTERM, then SIGKILL after the kill-after delay).
 *
 * It ignores the stop signals itself (a terminal's Ctrl-C reaches the whole process group): zkts
 * forwards them to CMD, and the watchdog exits once CMD has.
 *
 * argv: KILL_AFTER_MS CMD [ARGS...]. Environment: passed on to CMD, less Node's IPC variables.
 */
import { spawn } from 'node:child_process';
import process from 'node:process';
import type { FromWatchdog, ToWatchdog } from './protocol.js';

function send(message: FromWatchdog): void {
  if (process.connected) process.send?.(message);
}

function main(): void {
  const [killAfterText, command, ...args] = process.argv.slice(2);
  const killAfter = Number(killAfterText);
  if (command === undefined || !Number.isFinite(killAfter) || process.send === undefined) {
    process.stderr.write('zkts watchdog: started without zkts (internal)\n');
    process.exitCode = 2;
    return;
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
  const env = { ...process.env };
  delete env['NODE_CHANNEL_FD'];
  delete env['NODE_CHANNEL_SERIALIZATION_MODE'];
  const child = spawn(command, args, { stdio: 'inherit', env });
  let ended = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const signalChild = (signal: NodeJS.Signals): void => {
    if (!ended) child.kill(signal);
  };
  const stop = (): void => {
    signalChild('SIGTERM');
    killTimer ??= setTimeout(() => signalChild('SIGKILL'), killAfter);
  };
  child.on('spawn', () => send({ type: 'started', pid: child.pid! }));
  child.on('error', (err: NodeJS.ErrnoException) => {
    // Only a failure to start reaches here before 'exit'; a failed kill of an ended child is ignored.
    if (child.pid !== undefined) return;
    ended = true;
    send({ type: 'error', code: err.code ?? 'UNKNOWN', message: err.message });
    finish();
  });
  child.on('exit', (code, signal) => {
    ended = true;
    clearTimeout(killTimer);
    send({ type: 'exit', code, signal });
    finish();
  });
  process.on('message', (message: ToWatchdog) => {
    if (message.type === 'stop') stop();
    else if (message.type === 'signal') signalChild(message.signal as NodeJS.Signals);
  });
  // zkts is gone (SIGKILL, crash): nobody will release CMD's lock, and its session is about to expire.
  process.on('disconnect', () => {
    if (!ended) stop();
  });
}

function finish(): void {
  if (process.connected) process.disconnect();
  // The stop-signal listeners would keep nothing alive; the channel was the last handle.
}

main();
