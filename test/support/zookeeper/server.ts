/**
 * What a test can do to one ZooKeeper server, whether it runs as a local JVM or as a container.
 */
import { readFileSync } from 'node:fs';
import type { ZkMode } from './four-letter.js';

export type ZkServerState = 'running' | 'paused' | 'stopped';

export interface ZkServer {
  /** myid (1 for a standalone server). */
  readonly id: number;
  /** Address clients and 4lw probes use. */
  readonly host: string;
  readonly clientPort: number;
  /** `host:clientPort`, without chroot. */
  readonly connectString: string;
  /** The TLS port of a local server started with `secureClientPort` (undefined otherwise). */
  readonly secureClientPort?: number | undefined;
  /** `host:secureClientPort`; throws when there is none. */
  readonly secureConnectString?: string;
  /** OS process id of the server while it runs locally; undefined for containers and stopped servers. */
  readonly pid: number | undefined;
  /** File collecting the server's stdout and stderr. */
  readonly logFile: string;
  readonly state: ZkServerState;

  /** Graceful stop: SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  /** Crash: SIGKILL (kill -9), resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGSTOP: the process keeps its sockets but answers nothing. */
  pause(): Promise<void>;
  /** SIGCONT after pause(). */
  resume(): Promise<void>;
  /** Stops it if running, then starts it again on the same ports and data dir and waits until it serves. */
  restart(timeoutMs?: number): Promise<void>;
  /** Waits until `srvr` reports a serving server (for an ensemble member: joined a quorum). */
  waitServing(timeoutMs?: number): Promise<void>;
  /** Raw `srvr` answer. */
  srvr(timeoutMs?: number): Promise<string>;
  /** Parsed `mntr` answer, e.g. `zk_packets_received` as a number. */
  mntr(timeoutMs?: number): Promise<Record<string, string | number>>;
  /** Mode from `srvr`, or undefined when it does not answer or does not serve. */
  mode(timeoutMs?: number): Promise<ZkMode | undefined>;
  /** The last `lines` lines of the log file. */
  logTail(lines?: number): string;
  /** Stops the server and deletes everything it wrote. */
  destroy(): Promise<void>;
}

/** The last `lines` lines of a server's log file, for error messages. */
export function logTailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log file)';
  }
}
