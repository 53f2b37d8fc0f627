/**
 * zkts's exit codes. `lock` and `elect` exit with CMD's own code when CMD ran to its end, so zkts's own
 * outcomes use codes a command rarely uses for itself (as timeout(1) and sysexits(3) do).
 * The table is printed by `zkts --help` and copied in README.md ("Command line").
 */
export const ExitCode = {
  OK: 0,
  /** A ZooKeeper operation failed; stderr names the code (`NONODE: /a/b`). */
  FAILED: 1,
  /** Bad arguments. */
  USAGE: 2,
  /** No server answered, authentication failed, or the session ended. */
  CONNECTION: 3,
  /** `lock --try`: the lock is held by another process; CMD was not run. */
  LOCK_BUSY: 75,
  /** `lock --timeout`: the lock was not acquired in time; CMD was not run. */
  TIMEOUT: 124,
  /** The lock or leadership was lost while CMD ran; CMD was stopped (SIGTERM, then SIGKILL). */
  LOST: 125,
  /** CMD could not be executed (permission denied). */
  CANNOT_EXECUTE: 126,
  /** CMD was not found. */
  NOT_FOUND: 127,
  /** 128 + N: CMD was ended by signal N, or zkts was interrupted by it before CMD started. */
  SIGNAL_BASE: 128,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_TABLE: readonly (readonly [string, string])[] = [
  ['0', 'success; for lock and elect: CMD exited 0'],
  ['1', 'a ZooKeeper operation failed (stderr names its code, e.g. NONODE: /a/b)'],
  ['2', 'usage error (bad or missing arguments)'],
  ['3', 'no server answered, authentication failed, or the session ended'],
  ['75', 'lock --try: the lock is held elsewhere; CMD not run'],
  ['124', 'lock/elect --timeout: not acquired in time; CMD not run'],
  ['125', 'the lock or leadership was lost while CMD ran; CMD was stopped'],
  ['126', 'CMD could not be executed'],
  ['127', 'CMD not found'],
  ['128+N', 'CMD ended by signal N (130: SIGINT, 143: SIGTERM), or zkts interrupted before CMD ran'],
  ['other', "lock and elect: CMD's own exit code"],
];

/** An error that ends zkts with a given exit code and a one-line message on stderr. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Bad arguments: exit 2, with a pointer to --help. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, ExitCode.USAGE);
  }
}

/** The conventional exit code of a process ended by `signal` (128 + its number). */
export function signalExitCode(signal: string, numbers: Readonly<Record<string, number>>): number {
  return ExitCode.SIGNAL_BASE + (numbers[signal] ?? 0);
}
