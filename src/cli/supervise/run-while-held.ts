/**
 * Runs CMD while a lease is held (`lock`, `elect`): stop signals to zkts are forwarded to CMD; when the
 * lease's signal aborts, one line goes to stderr and CMD is stopped (SIGTERM, SIGKILL after the delay).
 * Resolves once CMD has ended, with how it ended and, if the lease was lost meanwhile, why.
 */
import { LockLostError } from '../../entry/node.js';
import { ExitCode } from '../exit-codes.js';
import { type StopSignal, onStopSignal, signalExit } from '../signals.js';
import { type CommandOutcome, startCommand } from './command-process.js';

export interface HeldRun {
  readonly outcome: CommandOutcome;
  /** Set when the lease's signal aborted while CMD ran. */
  readonly lost: LockLostError | undefined;
  /** The stop signal zkts received while CMD ran, if any. */
  readonly interrupted: StopSignal | undefined;
}

export interface HeldRunOptions {
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly killAfterMs: number;
  readonly leaseSignal: AbortSignal;
  /** What was lost, for the stderr line: "lock on /a" or "leadership of /e". */
  readonly what: string;
  readonly err: (line: string) => void;
}

export async function runWhileHeld(options: HeldRunOptions): Promise<HeldRun> {
  const child = startCommand(options.command, options.env, options.killAfterMs);
  let interrupted: StopSignal | undefined;
  let lost: LockLostError | undefined;
  const offSignal = onStopSignal((signal) => {
    interrupted = signal;
    child.signal(signal);
  });
  const onLost = (): void => {
    const reason: unknown = options.leaseSignal.reason;
    lost = reason instanceof LockLostError ? reason : new LockLostError('session-ended', String(reason));
    options.err(
      `${options.what} lost (${lost.reason}: ${lost.message}); stopping CMD: SIGTERM now, SIGKILL after ${options.killAfterMs} ms`,
    );
    child.stop();
  };
  if (options.leaseSignal.aborted) onLost();
  else options.leaseSignal.addEventListener('abort', onLost, { once: true });
  try {
    const outcome = await child.ended;
    return { outcome, lost, interrupted };
  } finally {
    options.leaseSignal.removeEventListener('abort', onLost);
    offSignal();
  }
}

/** zkts's exit code for how CMD ended (its own code, 128 + N for signal N, 126/127 when it did not start). */
export function outcomeExitCode(outcome: CommandOutcome): number {
  switch (outcome.kind) {
    case 'exited':
      return outcome.code;
    case 'signaled':
      return signalExit(outcome.signal);
    case 'failed':
      return outcome.code === 'ENOENT' ? ExitCode.NOT_FOUND : outcome.code === 'EACCES' ? ExitCode.CANNOT_EXECUTE : ExitCode.FAILED;
  }
}

/** The stderr line for a CMD that did not start, or undefined. */
export function outcomeProblem(outcome: CommandOutcome, command: string): string | undefined {
  if (outcome.kind !== 'failed') return undefined;
  if (outcome.code === 'ENOENT') return `${command}: command not found`;
  if (outcome.code === 'EACCES') return `${command}: permission denied`;
  return `${command}: ${outcome.message}`;
}
