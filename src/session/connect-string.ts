/**
 * Parses `host:port[,host:port...][/chroot]` as ConnectStringParser does: default port 2181, IPv6 hosts
 * in brackets, the chroot is everything from the first "/" ("/" alone means none).
 */
import { InvalidArgumentError } from '../errors.js';
import { validatePath } from '../protocol/path.js';

export interface HostAddress {
  host: string;
  port: number;
}

export interface ConnectString {
  hosts: HostAddress[];
  /** Server-side path prefix, without a trailing "/"; "" when there is none. */
  chroot: string;
}

const DEFAULT_PORT = 2181;

export function parseConnectString(input: string): ConnectString {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new InvalidArgumentError('connect string is empty');
  }
  const slash = input.indexOf('/');
  let chroot = slash === -1 ? '' : input.slice(slash);
  const hostPart = slash === -1 ? input : input.slice(0, slash);
  if (chroot === '/') chroot = '';
  if (chroot !== '') validatePath(chroot);
  const hosts: HostAddress[] = [];
  for (const raw of hostPart.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    hosts.push(parseHost(entry, input));
  }
  if (hosts.length === 0) throw new InvalidArgumentError(`no host in connect string ${JSON.stringify(input)}`);
  return { hosts, chroot };
}

function parseHost(entry: string, input: string): HostAddress {
  let host: string;
  let portText: string | undefined;
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close === -1) throw new InvalidArgumentError(`unclosed "[" in ${JSON.stringify(input)}`);
    host = entry.slice(1, close);
    const rest = entry.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw new InvalidArgumentError(`bad host ${JSON.stringify(entry)}`);
      portText = rest.slice(1);
    }
  } else {
    const colon = entry.lastIndexOf(':');
    if (colon !== -1 && entry.indexOf(':') !== colon) {
      throw new InvalidArgumentError(`IPv6 address ${JSON.stringify(entry)} must be in brackets`);
    }
    host = colon === -1 ? entry : entry.slice(0, colon);
    portText = colon === -1 ? undefined : entry.slice(colon + 1);
  }
  if (host === '') throw new InvalidArgumentError(`empty host in ${JSON.stringify(input)}`);
  let port = DEFAULT_PORT;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      throw new InvalidArgumentError(`bad port ${JSON.stringify(portText)} in ${JSON.stringify(input)}`);
    }
  }
  return { host, port };
}
