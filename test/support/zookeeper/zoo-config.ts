/**
 * zoo.cfg and JVM flags for test servers: short ticks so sessions can expire quickly, 4lw enabled for
 * probes, no admin HTTP server, loopback only, and no fsync (durability is not what these tests check).
 */
import { scaled } from './timing.js';
import { superDigestFlag } from './super-auth.js';

export interface ZkServerOptions {
  /** tickTime in ms (default 100 standalone, 200 ensemble members). */
  tickTime?: number;
  /** Default 2 × tickTime, so tests can ask for very short sessions. */
  minSessionTimeout?: number;
  /** Default 60000. */
  maxSessionTimeout?: number;
  /** JVM max heap in MB (default 128). */
  heapMb?: number;
  /** Added after the harness's JVM flags. */
  jvmFlags?: string[];
  /** Extra zoo.cfg lines; keys unknown to ZooKeeper become `zookeeper.<key>` system properties. */
  config?: Record<string, string | number | boolean>;
  /** How often containers and expired TTL nodes are reaped (default 1000 ms). */
  containerCheckIntervalMs?: number;
  /** Bound on start-up until the server serves (default 30 s, scaled). */
  startTimeoutMs?: number;
  /** Configure the super digest of super-auth.ts (default true). */
  superDigest?: boolean;
  /**
   * Also serve TLS on a secureClientPort of each server's own (Netty factory, loopback), beside the plain
   * clientPort the harness probes with 4lw. The TLS settings (ssl.*) come through `config`
   * (test/support/tls/secure-server.ts builds them).
   */
  secureClientPort?: boolean;
}

export interface PeerPorts {
  id: number;
  clientPort: number;
  quorumPort: number;
  electionPort: number;
  /** With ZkServerOptions.secureClientPort. */
  securePort?: number | undefined;
}

export function defaultStartTimeout(opts: ZkServerOptions): number {
  return opts.startTimeoutMs ?? scaled(30_000);
}

export function renderZooCfg(
  opts: ZkServerOptions,
  dataDir: string,
  clientPort: number,
  peers: readonly PeerPorts[] | undefined,
  securePort?: number,
): string {
  const tickTime = opts.tickTime ?? (peers ? 200 : 100);
  const lines: Record<string, string | number | boolean> = {
    tickTime,
    dataDir,
    clientPort,
    clientPortAddress: '127.0.0.1',
    minSessionTimeout: opts.minSessionTimeout ?? 2 * tickTime,
    maxSessionTimeout: opts.maxSessionTimeout ?? 60_000,
    '4lw.commands.whitelist': '*',
    'admin.enableServer': false,
    maxClientCnxns: 0,
    forceSync: 'no',
    // Default 64 MB of preallocated txn log per server: wasteful for throwaway data dirs.
    preAllocSize: 1024,
  };
  if (securePort !== undefined) {
    lines['secureClientPort'] = securePort;
    lines['secureClientPortAddress'] = '127.0.0.1';
    lines['serverCnxnFactory'] = 'org.apache.zookeeper.server.NettyServerCnxnFactory';
  }
  if (peers) {
    // Generous in ticks: on a loaded 2-core machine a JVM can stall for a second or more.
    lines['initLimit'] = 50;
    lines['syncLimit'] = 25;
    for (const p of peers) lines[`server.${p.id}`] = `127.0.0.1:${p.quorumPort}:${p.electionPort}`;
  }
  Object.assign(lines, opts.config ?? {});
  return `${Object.entries(lines)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('\n')}\n`;
}

/** Flags for a fast-starting, small JVM (tiered C1 only, serial GC, no perf-data file). */
export function jvmFlags(opts: ZkServerOptions): string[] {
  const flags = [
    `-Xmx${opts.heapMb ?? 128}m`,
    '-Xms32m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Xshare:auto',
    '-XX:-UsePerfData',
    '-Djava.net.preferIPv4Stack=true',
    '-Dzookeeper.extendedTypesEnabled=true',
    `-Dznode.container.checkIntervalMs=${opts.containerCheckIntervalMs ?? 1000}`,
    // Election retries back off up to 60 s by default; a restarted member should rejoin within seconds.
    '-Dzookeeper.fastleader.maxNotificationInterval=1000',
    '-Dzookeeper.cnxTimeout=1000',
  ];
  if (opts.superDigest ?? true) flags.push(superDigestFlag());
  return [...flags, ...(opts.jvmFlags ?? [])];
}
