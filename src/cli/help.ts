/** --help text: the command list with the exit-code table, and each command's own page. Pure. */
import type { OptionSpec } from './args.js';
import type { Command } from './command.js';
import { EXIT_CODE_TABLE } from './exit-codes.js';

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', kind: 'flag', help: 'machine-readable output (one JSON document; watch: one per line)' },
  { name: 'help', short: 'h', kind: 'flag', help: 'show help (zkts COMMAND --help for a command)' },
  { name: 'version', short: 'V', kind: 'flag', help: "print zkts's version" },
];

function optionLines(options: readonly OptionSpec[]): string[] {
  const left = options.map((o) => `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.arg ? ` ${o.arg}` : ''}`);
  const width = Math.max(...left.map((l) => l.length));
  return options.map((o, i) => `  ${left[i]!.padEnd(width)}  ${o.help}`);
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`);
}

export function exitCodeLines(): string[] {
  return table(EXIT_CODE_TABLE);
}

export function mainHelp(commands: readonly Command[], connection: readonly OptionSpec[]): string {
  return [
    'zkts: a ZooKeeper command line (locks around commands, leader election, the basic operations)',
    '',
    'Usage: zkts COMMAND [OPTIONS] [ARGS]        zkts COMMAND --help for details',
    '',
    'Commands:',
    ...table(commands.map((c) => [c.name, c.summary])),
    '',
    'Connection options (every command but bench):',
    ...optionLines(connection),
    '',
    'Other options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Errors are one line on stderr naming ZooKeeper\'s code, e.g. "zkts get: NONODE: /a/b".',
    '',
    'Exit codes:',
    ...exitCodeLines(),
    '',
    'Examples:',
    '  zkts lock /locks/backup -- ./backup.sh          # one backup at a time across machines',
    '  zkts elect /services/cron-leader -- ./scheduler # one scheduler at a time, failing over',
    '  zkts --connect zk1:2181,zk2:2181 ls -R /app',
    '',
  ].join('\n');
}

export function commandHelp(command: Command, connection: readonly OptionSpec[]): string {
  const lines = [`zkts ${command.name}: ${command.summary}`, '', 'Usage:', ...command.usage.map((u) => `  zkts ${u}`)];
  if (command.details !== undefined && command.details.length > 0) lines.push('', ...command.details);
  if (command.options.length > 0) lines.push('', 'Options:', ...optionLines(command.options));
  const others = GLOBAL_OPTIONS.filter((o) => o.name !== 'json' || command.json === true);
  if (command.connects) lines.push('', 'Connection options:', ...optionLines(connection));
  // bench passes every option on to the benchmark, so only --help is zkts's own there.
  if (command.connects) lines.push('', 'Other options:', ...optionLines(others));
  lines.push('', 'Exit codes: see zkts --help.', '');
  return lines.join('\n');
}
