/**
 * Established loopback TCP connections as the kernel lists them (/proc/net/tcp, tcp6; Linux only), to
 * check from outside that members talk to each other only through the link proxies.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface TcpConnection {
  localPort: number;
  remotePort: number;
  /** Socket inode: matches /proc/<pid>/fd/* links "socket:[inode]" of the owning process. */
  inode: string;
}

const ESTABLISHED = '01';

/** True where tcpConnections() can answer. */
export function canListTcp(): boolean {
  return existsSync('/proc/net/tcp') && existsSync('/proc/self/fd');
}

export function tcpConnections(): TcpConnection[] {
  const out: TcpConnection[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== ESTABLISHED) continue;
      out.push({ localPort: portOf(f[1]!), remotePort: portOf(f[2]!), inode: f[9]! });
    }
  }
  return out;
}

/** Inodes of the sockets this process holds open. */
export function ownSocketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // Closed between readdir and readlink.
    }
  }
  return inodes;
}

function portOf(address: string): number {
  return parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
}
