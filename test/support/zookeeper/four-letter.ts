/**
 * ZooKeeper's four-letter-word admin commands (srvr, mntr, ruok, ...) over a raw TCP socket: the server
 * writes its answer and closes the connection. Used to probe servers without a client session.
 */
import { connect } from 'node:net';

/** Sends `cmd` and resolves with the whole answer; rejects on a socket error or after `timeoutMs`. */
export function fourLetter(host: string, port: number, cmd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host, port });
    const finish = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    // A paused (SIGSTOP) server still accepts in the kernel but never answers: only a timer ends that.
    const timer = setTimeout(() => finish(new Error(`4lw ${cmd} to ${host}:${port}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(cmd));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('error', (err) => finish(new Error(`4lw ${cmd} to ${host}:${port}: ${err.message}`)));
  });
}

/** Server roles as `srvr` prints them after "Mode: ". */
export type ZkMode = 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only';

/** True when a srvr answer comes from a server that serves clients ("not currently serving" otherwise). */
export function isServing(srvr: string): boolean {
  return srvr.includes('Zookeeper version');
}

/** The "Mode:" line of a srvr answer, or undefined when the server is not serving. */
export function parseSrvrMode(srvr: string): ZkMode | undefined {
  const m = /^Mode: (\S+)/m.exec(srvr);
  return m ? (m[1] as ZkMode) : undefined;
}

/** mntr lines are `key<TAB>value`; numeric values become numbers, the rest stay strings. */
export function parseMntr(text: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const key = line.slice(0, tab);
    const raw = line.slice(tab + 1).trim();
    out[key] = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

/** A server's counters (`mntr`). */
export async function fetchMntr(host: string, port: number, timeoutMs: number): Promise<Record<string, string | number>> {
  return parseMntr(await fourLetter(host, port, 'mntr', timeoutMs));
}

/** A server's role, or undefined when it does not answer or does not serve. */
export async function fetchMode(host: string, port: number, timeoutMs: number): Promise<ZkMode | undefined> {
  try {
    const answer = await fourLetter(host, port, 'srvr', timeoutMs);
    return isServing(answer) ? parseSrvrMode(answer) : undefined;
  } catch {
    return undefined;
  }
}
