/**
 * What every command is: its name, usage, options and `run`, which gets a Context (parsed arguments,
 * output streams, the environment, a way to connect) and resolves with the exit code.
 */
import type { ZooKeeper } from '../entry/node.js';
import type { OptionSpec, ParsedArgs } from './args.js';

export interface Output {
  /** Writes text to stdout. */
  out(text: string): void;
  /** Writes bytes to stdout untouched (`--raw`). */
  outBytes(bytes: Uint8Array): void;
  /** Writes one line to stderr (the newline is added). */
  err(line: string): void;
}

export interface Context extends Output {
  readonly args: ParsedArgs;
  /** `--json` was given. */
  readonly json: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Opens a session with the connection options (exit 3 when no server answers). */
  connect(): Promise<ZooKeeper>;
}

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Synopsis lines after `zkts `, e.g. `get PATH [--raw]`. */
  readonly usage: readonly string[];
  /** Paragraphs shown under the synopsis in `zkts CMD --help`. */
  readonly details?: readonly string[];
  readonly options: readonly OptionSpec[];
  /** Takes the connection options (every command but bench). */
  readonly connects: boolean;
  /** `--json` applies. */
  readonly json?: boolean;
  run(ctx: Context): Promise<number>;
}

/** Opens a session, runs `fn` with it, and closes it (bounded) whatever happens. */
export async function withClient<T>(ctx: Context, fn: (zk: ZooKeeper) => Promise<T>): Promise<T> {
  const zk = await ctx.connect();
  try {
    return await fn(zk);
  } finally {
    await closeWithin(zk, 5_000);
  }
}

/** Closes a client but gives up waiting after `ms` (a black-holed connection must not hold zkts). */
export async function closeWithin(zk: ZooKeeper, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    zk.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
