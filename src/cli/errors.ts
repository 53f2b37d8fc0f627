/**
 * Turns any failure into zkts's one stderr line and exit code: ZooKeeper errors as `CODE: /path`
 * (`NONODE: /a/b`), session and connection failures as exit 3, bad arguments as exit 2.
 */
import { ZooKeeperError } from '../entry/node.js';
import { CliError, ExitCode } from './exit-codes.js';

const CONNECTION_CODES = new Set([
  'NOHOSTS',
  'CONNECTIONLOSS',
  'SESSIONEXPIRED',
  'AUTHFAILED',
  'CLIENTCLOSED',
  'SESSIONCLOSEDREQUIRESASLAUTH',
]);

export interface Failure {
  readonly line: string;
  readonly exitCode: number;
}

/** The one line (without the `zkts CMD: ` prefix) and the exit code for an error. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof CliError) return { line: error.message, exitCode: error.exitCode };
  if (error instanceof ZooKeeperError) {
    const line = error.path !== undefined ? `${error.code}: ${error.path}` : `${error.code}: ${stripCode(error.message, error.code)}`;
    if (error.code === 'INVALIDARGUMENT') return { line, exitCode: ExitCode.USAGE };
    return { line, exitCode: CONNECTION_CODES.has(error.code) ? ExitCode.CONNECTION : ExitCode.FAILED };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: oneLine(message), exitCode: ExitCode.FAILED };
}

function stripCode(message: string, code: string): string {
  return oneLine(message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message);
}

/** Messages are printed on one line whatever they contain. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
