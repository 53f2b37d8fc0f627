/// <reference types="node" />
/**
 * Connection options shared by every command: where (`--connect`, ZK_CONNECT), the session timeout,
 * digest credentials (`--auth`, ZKTS_AUTH; never echoed) and TLS (`--tls`, `--tls-ca`, `--tls-cert`,
 * `--tls-key`), turned into `connect()`'s arguments.
 */
import { readFileSync } from 'node:fs';
import { type ConnectOptions, type TransportTlsOptions, type ZooKeeper, connect } from '../entry/node.js';
import type { OptionSpec, ParsedArgs } from './args.js';
import { intOption } from './args.js';
import { CliError, ExitCode, UsageError } from './exit-codes.js';

export const DEFAULT_CONNECT = '127.0.0.1:2181';
export const DEFAULT_SESSION_TIMEOUT = 30_000;

export const CONNECTION_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'connect',
    kind: 'value',
    arg: 'HOSTS',
    help: `host:port[,host:port...][/chroot] (default: $ZK_CONNECT, else ${DEFAULT_CONNECT})`,
  },
  { name: 'session-timeout', kind: 'value', arg: 'MS', help: `session timeout requested (default ${DEFAULT_SESSION_TIMEOUT})` },
  {
    name: 'auth',
    kind: 'value',
    arg: 'USER:PASSWORD',
    help: 'digest credentials (default: $ZKTS_AUTH, better: arguments show in ps); never printed',
  },
  { name: 'tls', kind: 'flag', help: 'connect with TLS (implied by the other --tls-* options)' },
  { name: 'tls-ca', kind: 'value', arg: 'FILE', help: 'PEM CA certificates to trust instead of the system ones' },
  { name: 'tls-cert', kind: 'value', arg: 'FILE', help: 'PEM client certificate (x509 auth; needs --tls-key)' },
  { name: 'tls-key', kind: 'value', arg: 'FILE', help: 'PEM private key of --tls-cert' },
];

export interface ConnectionSettings {
  readonly connectString: string;
  readonly options: ConnectOptions;
}

/** What `connect()` needs, from the options and the environment. Reads the TLS files. */
export function connectionSettings(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>): ConnectionSettings {
  const connectString = args.values.get('connect') ?? nonEmpty(env['ZK_CONNECT']) ?? DEFAULT_CONNECT;
  const sessionTimeout = intOption(args, 'session-timeout', DEFAULT_SESSION_TIMEOUT, 1, 2 ** 31 - 1);
  const options: ConnectOptions = { sessionTimeout };
  const auth = args.values.get('auth') ?? nonEmpty(env['ZKTS_AUTH']);
  if (auth !== undefined) {
    // The credential itself never goes into a message: only whether the colon is there.
    if (!auth.includes(':')) throw new UsageError('--auth (or ZKTS_AUTH) must be user:password');
    options.auth = [{ scheme: 'digest', auth }];
  }
  const tls = tlsOptions(args);
  if (tls !== undefined) options.tls = tls;
  return { connectString, options };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function tlsOptions(args: ParsedArgs): boolean | TransportTlsOptions | undefined {
  const ca = args.values.get('tls-ca');
  const cert = args.values.get('tls-cert');
  const key = args.values.get('tls-key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (ca === undefined && cert === undefined) return args.flags.has('tls') ? true : undefined;
  const tls: TransportTlsOptions = {};
  if (ca !== undefined) tls.ca = readPem(ca, '--tls-ca');
  if (cert !== undefined) tls.cert = readPem(cert, '--tls-cert');
  if (key !== undefined) tls.key = readPem(key, '--tls-key');
  return tls;
}

function readPem(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${option}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Connects, turning a failure into exit code 3 with a one-line reason. */
export async function open(settings: ConnectionSettings): Promise<ZooKeeper> {
  try {
    return await connect(settings.connectString, settings.options);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    throw new CliError(code === undefined ? message : `${code}: ${message}`, ExitCode.CONNECTION);
  }
}
