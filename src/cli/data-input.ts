/// <reference types="node" />
/** Where `set` and `create` take a node's data from: an argument, or `--file FILE` (`-` reads stdin). */
import { readFileSync } from 'node:fs';
import type { OptionSpec, ParsedArgs } from './args.js';
import { UsageError } from './exit-codes.js';

export const DATA_FILE_OPTION: OptionSpec = {
  name: 'file',
  kind: 'value',
  arg: 'FILE',
  help: 'take the data from FILE as bytes (- for stdin) instead of the DATA argument',
};

/** The data to write: the DATA argument as UTF-8, the file's bytes, or null when neither was given. */
export function dataInput(args: ParsedArgs, argument: string | undefined): Uint8Array | string | null {
  const file = args.values.get('file');
  if (file === undefined) return argument ?? null;
  if (argument !== undefined) throw new UsageError('give DATA or --file, not both');
  try {
    const bytes = readFileSync(file === '-' ? 0 : file);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (err) {
    throw new UsageError(`--file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
