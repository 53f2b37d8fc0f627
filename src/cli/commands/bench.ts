/// <reference types="node" />
/**
 * `zkts bench [...]`: the lock benchmark (bench/lock/main.ts, `npm run bench`) with the same arguments.
 * It lives in the source checkout, not in the published package: from an installed package this says
 * so in one line and exits 2.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from '../command.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { onStopSignal, signalExit } from '../signals.js';

/** The checkout's root: src/cli/commands or dist/cli/commands, three levels up. */
export function checkoutRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the lock benchmark (source checkout only; see --help)',
  usage: ['bench [BENCH OPTIONS...]'],
  details: [
    'Runs the lock benchmark (bench/lock/main.ts, the same as `npm run bench --`) with every argument after',
    '`bench` passed on as it is (e.g. --connect HOSTS, --quick); from a checkout, its options follow below.',
    'The benchmark is NOT part of the published package: it needs a source checkout of zkts with its dev',
    "dependencies installed (npm ci); an installed zkts says so and exits 2. Exits with the benchmark's code.",
  ],
  options: [],
  connects: false,
  run() {
    // Handled by runBench: bench takes its arguments untouched, --help included.
    return Promise.resolve(ExitCode.USAGE);
  },
};

/** bench/lock/main.ts is there: zkts runs from a source checkout. */
export function benchAvailable(): boolean {
  return existsSync(`${checkoutRoot()}bench/lock/main.ts`);
}

/** Runs the benchmark with `argv` (everything after `bench`), inheriting stdio; resolves with its exit code. */
export async function runBench(argv: readonly string[]): Promise<number> {
  const root = checkoutRoot();
  const main = `${root}bench/lock/main.ts`;
  if (!benchAvailable()) {
    throw new CliError(
      'the lock benchmark is not part of the installed package: run it from a source checkout of zkts (npm ci && npm run bench)',
      ExitCode.USAGE,
    );
  }
  let tsx: string;
  try {
    tsx = pathToFileURL(createRequire(`${root}package.json`).resolve('tsx')).href;
  } catch {
    throw new CliError(`the lock benchmark needs the dev dependencies: run npm ci in ${root}`, ExitCode.USAGE);
  }
  const child = spawn(process.execPath, ['--import', tsx, main, ...argv], { stdio: 'inherit' });
  // The benchmark stops its own servers on a signal; zkts only passes signals on and waits.
  const offSignal = onStopSignal((signal) => child.kill(signal));
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve(signal !== null ? signalExit(signal) : (code ?? 1)));
    });
  } finally {
    offSignal();
  }
}
