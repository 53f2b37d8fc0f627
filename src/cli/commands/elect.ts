/**
 * `zkts elect PATH -- CMD`: stand for election on PATH (LeaderElection, Curator LeaderLatch compatible)
 * and run CMD only while this process leads. When leadership is lost CMD is stopped at once (SIGTERM,
 * SIGKILL after --kill-after) and zkts stands again on a fresh session (or exits 125 with --once).
 * When CMD ends by itself zkts resigns and exits with CMD's code.
 */
import { AcquireTimeoutError, LockLostError, type ZooKeeper } from '../../entry/node.js';
import { LeaderElection, type Leadership } from '../../recipes/index.js';
import { type Command, type Context, closeWithin } from '../command.js';
import { intOption, positionals } from '../args.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { sessionHex } from '../output.js';
import { type StopSignal, onStopSignal, signalExit } from '../signals.js';
import { outcomeExitCode, outcomeProblem, runWhileHeld } from '../supervise/run-while-held.js';
import { DEFAULT_KILL_AFTER, KILL_AFTER_OPTION, commandAfterDashes, releaseWithin } from './lock.js';

/** Pause between attempts to reach ZooKeeper again after a lost session. */
const RECONNECT_PAUSE_MS = 1_000;

export const electCommand: Command = {
  name: 'elect',
  summary: 'run a command only while this process is the elected leader',
  usage: ['elect PATH [--once] [--timeout MS] [--kill-after MS] -- CMD [ARGS...]'],
  details: [
    'Joins the election on PATH (Curator LeaderLatch compatible) and, once leader, runs CMD with stdio',
    'inherited and ZKTS_FENCING_TOKEN, ZKTS_ELECTION_PATH (PATH), ZKTS_LOCK_NODE and ZKTS_SESSION_ID in',
    'its environment. stderr says "leader of PATH" when CMD starts.',
    'If leadership is lost (the session expired, the node was deleted, or the lease bound passed), zkts',
    'prints one line, stops CMD (SIGTERM, then SIGKILL after --kill-after), and stands for election again',
    'on a new session; with --once it exits 125 instead. If CMD exits by itself, zkts resigns and exits',
    'with its code. Ctrl-C or SIGTERM is passed on to CMD while it runs, and ends the wait otherwise',
    '(exit 128+N). --timeout: exit 124 if not leader within MS of standing (each time).',
  ],
  options: [
    { name: 'once', kind: 'flag', help: 'exit 125 when leadership is lost instead of standing again' },
    { name: 'timeout', kind: 'value', arg: 'MS', help: 'give up (exit 124) if not elected within MS' },
    KILL_AFTER_OPTION,
  ],
  connects: true,
  async run(ctx) {
    const [path] = positionals(ctx.args, ['PATH']) as [string];
    const command = commandAfterDashes(ctx.args);
    const timeout = intOption(ctx.args, 'timeout', undefined, 0);
    const killAfterMs = intOption(ctx.args, 'kill-after', DEFAULT_KILL_AFTER, 0);
    const once = ctx.args.flags.has('once');
    let zk: ZooKeeper | undefined = await ctx.connect();
    try {
      for (;;) {
        if (zk === undefined) {
          const reconnected = await reconnect(ctx);
          if (typeof reconnected === 'string') return signalExit(reconnected);
          zk = reconnected;
        }
        const leadership = await stand(zk, path, timeout);
        if (typeof leadership === 'string') {
          if (leadership === 'session-ended' && !once) {
            ctx.err(`the session ended while waiting to lead ${path}; standing again on a new session`);
            await closeWithin(zk, 2_000);
            zk = undefined;
            continue;
          }
          if (leadership === 'session-ended') throw new CliError(`the session ended while waiting to lead ${path}`, ExitCode.CONNECTION);
          return signalExit(leadership);
        }
        ctx.err(`leader of ${path} (fencing token ${leadership.fencingToken}); starting CMD`);
        const run = await runWhileHeld({
          command,
          env: {
            ...ctx.env,
            ZKTS_FENCING_TOKEN: leadership.fencingToken.toString(),
            ZKTS_ELECTION_PATH: path,
            ZKTS_LOCK_NODE: leadership.path,
            ZKTS_SESSION_ID: sessionHex(leadership.sessionId),
          },
          killAfterMs,
          leaseSignal: leadership.signal,
          what: `leadership of ${path}`,
          err: ctx.err,
        });
        const problem = outcomeProblem(run.outcome, command[0]!);
        if (problem !== undefined) ctx.err(problem);
        await releaseWithin(leadership, run.lost !== undefined ? 1_000 : Math.min(zk.sessionTimeout, 5_000));
        if (run.lost === undefined || run.interrupted !== undefined) return outcomeExitCode(run.outcome);
        if (once) return ExitCode.LOST;
        // A fresh session: the old one may be expired, or cut off with its node still on the server.
        await closeWithin(zk, 2_000);
        zk = undefined;
        ctx.err(`standing for election on ${path} again`);
      }
    } finally {
      if (zk !== undefined) await closeWithin(zk, 5_000);
    }
  },
};

/** Waits to lead: the Leadership, 'session-ended', or the stop signal that ended the wait. */
async function stand(zk: ZooKeeper, path: string, timeout: number | undefined): Promise<Leadership | 'session-ended' | StopSignal> {
  const abort = new AbortController();
  let stopped: StopSignal | undefined;
  const offSignal = onStopSignal((signal) => {
    stopped = signal;
    abort.abort(signal);
  });
  try {
    const leadership = await new LeaderElection(zk, path).join({ timeout, signal: abort.signal });
    if (stopped !== undefined) {
      await releaseWithin(leadership, 2_000);
      return stopped;
    }
    return leadership;
  } catch (err) {
    if (stopped !== undefined) return stopped;
    if (err instanceof AcquireTimeoutError) throw new CliError(`not elected within ${timeout} ms on ${path}`, ExitCode.TIMEOUT);
    if (err instanceof LockLostError && err.reason === 'session-ended') return 'session-ended';
    throw err;
  } finally {
    offSignal();
  }
}

/** Connects again after a lost session, retrying until it works, or until a stop signal (returned). */
async function reconnect(ctx: Context): Promise<ZooKeeper | StopSignal> {
  let stopped: StopSignal | undefined;
  let wake: (() => void) | undefined;
  const offSignal = onStopSignal((signal) => {
    stopped = signal;
    wake?.();
  });
  try {
    while (stopped === undefined) {
      try {
        const zk = await ctx.connect();
        if (stopped === undefined) return zk;
        await closeWithin(zk, 2_000);
      } catch (err) {
        ctx.err(`cannot reconnect: ${err instanceof Error ? err.message : String(err)}; retrying`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, RECONNECT_PAUSE_MS);
        });
      }
    }
    return stopped;
  } finally {
    offSignal();
  }
}
