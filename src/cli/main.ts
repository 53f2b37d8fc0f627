#!/usr/bin/env node
/// <reference types="node" />
/** The `zkts` executable (package.json `bin`): runs the command line and exits with its code. */
import process from 'node:process';
import { ExitCode } from './exit-codes.js';
import { main } from './zkts.js';

/** Exits once stdout and stderr have drained (process.exit() could cut piped output short). */
function finish(code: number): void {
  process.exitCode = code;
  // Nothing else should keep the process alive; if something does, do not hang.
  setTimeout(() => process.exit(code), 1_000).unref();
}

main(process.argv.slice(2)).then(finish, (error: unknown) => {
  process.stderr.write(`zkts: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  finish(ExitCode.FAILED);
});
