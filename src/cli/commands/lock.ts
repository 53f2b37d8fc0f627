/**
 * `zkts lock PATH -- CMD [ARGS...]`: run CMD while holding the Mutex on PATH (Curator-compatible), with
 * the fencing token in its environment; release when CMD ends and exit with its code. CMD is stopped
 * the moment the lease can no longer vouch for the lock (lost, session expired, lease bound passed).
 */
import { AcquireTimeoutError, type ZooKeeper } from '../../entry/node.js';
import { type Lease, Mutex } from '../../recipes/index.js';
import { type Command, closeWithin } from '../command.js';
import { type OptionSpec, type ParsedArgs, intOption, positionals } from '../args.js';
import { CliError, ExitCode, UsageError } from '../exit-codes.js';
import { sessionHex } from '../output.js';
import { type StopSignal, onStopSignal, signalExit } from '../signals.js';
import { outcomeExitCode, outcomeProblem, runWhileHeld } from '../supervise/run-while-held.js';

export const DEFAULT_KILL_AFTER = 10_000;

export const KILL_AFTER_OPTION: OptionSpec = {
  name: 'kill-after',
  kind: 'value',
  arg: 'MS',
  help: `after SIGTERM on a lost lock, SIGKILL CMD if it still runs after MS (default ${DEFAULT_KILL_AFTER})`,
};

/** CMD after `--`, which every supervising command needs. */
export function commandAfterDashes(args: ParsedArgs): string[] {
  if (args.rest === undefined || args.rest.length === 0) throw new UsageError('missing -- CMD [ARGS...]');
  return [...args.rest];
}

/**
 * Bounded: a lease whose connection is black-holed must not keep zkts from exiting. Closing the session
 * afterwards deletes the node anyway (or its expiry does), so the bound costs nothing but time.
 */
export async function releaseWithin(lease: Lease, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    lease.release().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

export const lockCommand: Command = {
  name: 'lock',
  summary: 'run a command while holding a lock; stop it if the lock is lost',
  usage: ['lock PATH [--timeout MS | --try] [--kill-after MS] -- CMD [ARGS...]'],
  details: [
    'Acquires the Mutex on PATH (Curator InterProcessMutex compatible), runs CMD with stdio inherited and',
    "ZKTS_FENCING_TOKEN (the lock node's czxid, decimal; grows with every holder), ZKTS_LOCK_PATH (PATH),",
    'ZKTS_LOCK_NODE (the lock node) and ZKTS_SESSION_ID (0x hex) in its environment, releases the lock when',
    'CMD exits and exits with its code. Ctrl-C or SIGTERM to zkts is passed on to CMD, and the lock is',
    'released once CMD has exited.',
    'If the lock is lost while CMD runs (the session expired, the lock node was deleted, or the lease bound',
    'passed without the server confirming the session), zkts prints one line on stderr, sends CMD SIGTERM,',
    'then SIGKILL after --kill-after, and exits 125. A watchdog process stops CMD the same way if zkts',
    'itself is killed. --timeout expiry exits 124 and --try on a taken lock exits 75, without running CMD.',
  ],
  options: [
    { name: 'timeout', kind: 'value', arg: 'MS', help: 'give up (exit 124) if the lock is not acquired within MS' },
    { name: 'try', kind: 'flag', help: 'take the lock only if nobody holds or waits for it; else exit 75 at once' },
    KILL_AFTER_OPTION,
  ],
  connects: true,
  async run(ctx) {
    const [path] = positionals(ctx.args, ['PATH']) as [string];
    const command = commandAfterDashes(ctx.args);
    const timeout = intOption(ctx.args, 'timeout', undefined, 0);
    const killAfterMs = intOption(ctx.args, 'kill-after', DEFAULT_KILL_AFTER, 0);
    const tryOnly = ctx.args.flags.has('try');
    if (tryOnly && timeout !== undefined) throw new UsageError('--try and --timeout do not go together');
    const zk = await ctx.connect();
    const abort = new AbortController();
    let interrupted: StopSignal | undefined;
    const offSignal = onStopSignal((signal) => {
      interrupted = signal;
      abort.abort(new CliError(`interrupted by ${signal} while waiting for ${path}`, signalExit(signal)));
    });
    try {
      const lease = await acquire(zk, path, { timeout, tryOnly, signal: abort.signal }).finally(offSignal);
      let lost = false;
      try {
        if (interrupted !== undefined) return signalExit(interrupted);
        const run = await runWhileHeld({
          command,
          env: {
            ...ctx.env,
            ZKTS_FENCING_TOKEN: lease.fencingToken.toString(),
            ZKTS_LOCK_PATH: path,
            ZKTS_LOCK_NODE: lease.path,
            ZKTS_SESSION_ID: sessionHex(lease.sessionId),
          },
          killAfterMs,
          leaseSignal: lease.signal,
          what: `lock on ${path}`,
          err: ctx.err,
        });
        const problem = outcomeProblem(run.outcome, command[0]!);
        if (problem !== undefined) ctx.err(problem);
        lost = run.lost !== undefined;
        return lost ? ExitCode.LOST : outcomeExitCode(run.outcome);
      } finally {
        await releaseWithin(lease, lost ? 1_000 : Math.min(zk.sessionTimeout, 5_000));
      }
    } finally {
      await closeWithin(zk, 5_000);
    }
  },
};

async function acquire(
  zk: ZooKeeper,
  path: string,
  options: { timeout: number | undefined; tryOnly: boolean; signal: AbortSignal },
): Promise<Lease> {
  const mutex = new Mutex(zk, path);
  if (options.tryOnly) {
    const lease = await mutex.tryAcquire();
    if (lease === null) throw new CliError(`${path} is held by another process`, ExitCode.LOCK_BUSY);
    return lease;
  }
  try {
    return await mutex.acquire({ timeout: options.timeout, signal: options.signal });
  } catch (err) {
    if (err instanceof AcquireTimeoutError) {
      throw new CliError(`timed out after ${options.timeout} ms waiting for ${path}`, ExitCode.TIMEOUT);
    }
    if (options.signal.aborted && options.signal.reason instanceof CliError) throw options.signal.reason;
    throw err;
  }
}
