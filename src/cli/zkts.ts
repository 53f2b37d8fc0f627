/// <reference types="node" />
/**
 * `zkts`, the command line: finds the command, parses its options, runs it and returns its exit code
 * (see exit-codes.ts). Errors are one line on stderr, `zkts COMMAND: CODE: detail`.
 * The CLI uses only the public API (../entry/node.js, ../recipes/index.js). main.ts is the executable.
 */
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { type ParsedArgs, mergeArgs, parseArgs } from './args.js';
import type { Command, Context } from './command.js';
import { aclCommand } from './commands/acl.js';
import { benchAvailable, benchCommand, runBench } from './commands/bench.js';
import { createCommand } from './commands/create.js';
import { deleteCommand } from './commands/delete.js';
import { electCommand } from './commands/elect.js';
import { getCommand } from './commands/get.js';
import { lockCommand } from './commands/lock.js';
import { lsCommand } from './commands/ls.js';
import { setCommand } from './commands/set.js';
import { statCommand } from './commands/stat.js';
import { watchCommand } from './commands/watch.js';
import { whoamiCommand } from './commands/whoami.js';
import { CONNECTION_OPTIONS, connectionSettings, open } from './connection.js';
import { describeFailure } from './errors.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { GLOBAL_OPTIONS, commandHelp, mainHelp } from './help.js';

export const COMMANDS: readonly Command[] = [
  lockCommand,
  electCommand,
  getCommand,
  setCommand,
  createCommand,
  deleteCommand,
  lsCommand,
  statCommand,
  aclCommand,
  watchCommand,
  whoamiCommand,
  benchCommand,
];

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs zkts with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let label = 'zkts';
  const write = (text: string): void => void process.stdout.write(text);
  const err = (line: string): void => void process.stderr.write(`${label}: ${line}\n`);
  try {
    const head = parseArgs(argv, [...GLOBAL_OPTIONS, ...CONNECTION_OPTIONS], true);
    const name = head.positionals[0];
    if (head.flags.has('version')) {
      write(`${version()}\n`);
      return ExitCode.OK;
    }
    if (name === undefined) {
      if (head.flags.has('help')) {
        write(mainHelp(COMMANDS, CONNECTION_OPTIONS));
        return ExitCode.OK;
      }
      throw new UsageError('missing COMMAND (zkts --help lists them)');
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)} (zkts --help lists them)`);
    label = `zkts ${command.name}`;
    if (command === benchCommand) {
      // zkts's own page (the benchmark is not in the package), then the benchmark's options if it is here.
      const help = head.flags.has('help') || head.remaining.some((a) => a === '--help' || a === '-h');
      // Every argument but the word `bench` goes to the benchmark, options before it included.
      const benchArgs = [...argv.slice(0, argv.length - head.remaining.length - 1), ...head.remaining];
      if (!help) return await runBench(benchArgs);
      write(commandHelp(command, CONNECTION_OPTIONS));
      if (!benchAvailable()) return ExitCode.OK;
      write("\nThe benchmark's own options (bench/lock/main.ts --help):\n\n");
      return await runBench(['--help']);
    }
    const specs = [...GLOBAL_OPTIONS, ...(command.connects ? CONNECTION_OPTIONS : []), ...command.options];
    const tail = parseArgs(head.remaining, specs);
    let args: ParsedArgs = mergeArgs({ ...head, positionals: [] }, tail);
    if (args.flags.has('help')) {
      write(commandHelp(command, CONNECTION_OPTIONS));
      return ExitCode.OK;
    }
    if (args.flags.has('json') && command.json !== true) throw new UsageError(`--json does not apply to ${command.name}`);
    if (args.rest !== undefined && command !== lockCommand && command !== electCommand) {
      // After `--` come positionals (data that starts with a dash, say), except for lock and elect's CMD.
      args = { ...args, positionals: [...args.positionals, ...args.rest], rest: undefined };
    }
    const settings = command.connects ? connectionSettings(args, process.env) : undefined;
    const ctx: Context = {
      args,
      json: args.flags.has('json'),
      env: process.env,
      out: write,
      outBytes: (bytes) => void process.stdout.write(bytes),
      err,
      connect: () => {
        if (settings === undefined) throw new UsageError(`${command.name} does not connect`);
        return open(settings);
      },
    };
    return await command.run(ctx);
  } catch (error) {
    const failure = describeFailure(error);
    // One line, always; a usage error also says where the usage is.
    const hint = error instanceof UsageError && !failure.line.includes('--help');
    err(hint ? `${failure.line} (${label} --help shows the usage)` : failure.line);
    return failure.exitCode;
  }
}
