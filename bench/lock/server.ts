/**
 * The servers a benchmark run uses, and its root node on them.
 *
 * Without `--connect` it starts its own through the test harness: a standalone server, or an ensemble
 * with `--ensemble 3`, with `forceSync=yes` (ZooKeeper's default, which the harness turns off for test
 * speed: every write waits for its fsync, as in production and as in the peer figures), the server's
 * default tickTime of 2000 ms, and the full JIT (the harness stops the JIT at C1 for fast start-up);
 * `--force-sync no` turns the fsync off, to show what it costs.
 * With `--connect` it works under a fresh node `/zkts-bench/run-...` of the given ensemble (below its
 * chroot, if the connect string has one) and removes it afterwards; the server's settings are its own.
 *
 * With `--rtt` every server gets a FaultProxy from the harness adding half the round trip in each
 * direction; runners and the floor connect through the proxies, `mntr` goes straight to the servers.
 *
 * With `linkProxies` (the fault runs, bench/lock/faults) the ensemble's members reach each other only
 * through the harness's link proxies, so a member can be isolated; `ensemble` gives the fault schedule
 * the members to kill, pause and isolate.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FaultProxy } from '../../test/support/proxy/index.js';
import {
  AdminClient,
  fourLetter,
  parseMntr,
  splitConnectString,
  startEnsemble,
  startStandalone,
  type StartOptions,
  type ZkEnsemble,
  type ZkServer,
} from '../../test/support/zookeeper/index.js';
import { type MntrSample, sumMntr } from './stats.js';

export interface ServerOptions {
  connect: string | undefined;
  ensemble: number;
  /** forceSync of the servers this run starts. */
  forceSync: boolean;
  rttMs: number;
  /** Start the ensemble with the harness's link proxies (ensemble.isolate/heal); needs ensemble > 1. */
  linkProxies?: boolean;
}

export interface ServerInfo {
  /** 'standalone' | 'ensemble of 3' | 'external (host:port,...)' */
  kind: string;
  version: string;
  /** What the benchmark knows about fsync on writes. */
  forceSync: string;
  /** Server settings the benchmark chose (empty for --connect). */
  settings: string[];
  members: number;
  rttMs: number;
  /** The run's root node (removed at the end). */
  root: string;
}

export interface BenchServer {
  readonly info: ServerInfo;
  /** Hosts (no chroot) that runners and the floor connect to: the proxies when --rtt is set. */
  readonly clientHosts: string;
  /** Absolute server path of this run's root node (exists). */
  readonly root: string;
  /** The ensemble this run started; undefined for a standalone server or --connect. */
  readonly ensemble: ZkEnsemble | undefined;
  /** The `mntr` counters summed over every server, or undefined when they cannot be read. */
  mntr(): Promise<MntrSample | undefined>;
  /** CPU time (user + system) of the server processes this run started, µs; undefined otherwise. */
  cpuUs(): number | undefined;
  /** Runs `fn` with an admin session on the servers (direct, no proxy), paths absolute. */
  admin<T>(fn: (admin: AdminClient) => Promise<T>): Promise<T>;
  /** Removes the root node, closes the proxies and stops servers this run started. */
  close(): Promise<void>;
}

/** Settings for servers the benchmark starts (see the header). */
const benchServer = (forceSync: boolean): StartOptions => ({
  tickTime: 2000,
  heapMb: 256,
  config: { forceSync: forceSync ? 'yes' : 'no' },
  // The last flag wins: undo the harness's -XX:TieredStopAtLevel=1 so the server runs C2 code, and
  // start with the whole heap so the first cells do not pay for the heap growing (serial GC pauses).
  jvmFlags: ['-XX:TieredStopAtLevel=4', '-Xms256m'],
});

const benchServerSettings = (forceSync: boolean): string[] => [
  `forceSync=${forceSync ? 'yes' : 'no'}`,
  'tickTime=2000',
  'JVM: -Xms256m -Xmx256m, SerialGC, full JIT (C2)',
];

export async function openServer(opts: ServerOptions): Promise<BenchServer> {
  if (opts.linkProxies && (opts.connect !== undefined || opts.ensemble < 2))
    throw new Error('link proxies need an ensemble this run starts (--ensemble 3)');
  let servers: ZkServer[] = [];
  let ensemble: ZkEnsemble | undefined;
  let stop: () => Promise<void> = async () => undefined;
  let hosts: { host: string; port: number }[];
  let base = '';
  let kind: string;
  if (opts.connect !== undefined) {
    const split = splitConnectString(opts.connect);
    hosts = split.hosts;
    base = split.chroot;
    kind = `external (${hosts.map((h) => `${h.host}:${h.port}`).join(',')})`;
  } else if (opts.ensemble > 1) {
    const started = await startEnsemble(opts.ensemble, { ...benchServer(opts.forceSync), linkProxies: opts.linkProxies === true });
    ensemble = started;
    servers = [...started.members];
    stop = () => started.destroy();
    hosts = servers.map((s) => ({ host: s.host, port: s.clientPort }));
    kind = `ensemble of ${opts.ensemble}`;
  } else {
    const server = await startStandalone(benchServer(opts.forceSync));
    servers = [server];
    stop = () => server.destroy();
    hosts = [{ host: server.host, port: server.clientPort }];
    kind = 'standalone';
  }
  const direct = hosts.map((h) => `${h.host}:${h.port}`).join(',');

  const proxies: FaultProxy[] = [];
  let root = '';
  try {
    if (opts.rttMs > 0) {
      for (const h of hosts) {
        const proxy = await FaultProxy.start({ target: h });
        proxy.setLatency({ toServer: opts.rttMs / 2, toClient: opts.rttMs / 2 });
        proxies.push(proxy);
      }
    }
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    root = `${base}/zkts-bench/run-${stamp}-${randomBytes(3).toString('hex')}`;
    const admin = async <T>(fn: (a: AdminClient) => Promise<T>): Promise<T> => {
      const a = await AdminClient.connect(direct, { sessionTimeoutMs: 30_000 });
      try {
        return await fn(a);
      } finally {
        await a.close();
      }
    };
    await admin((a) => a.mkdirp(root));
    const srvr = await fourLetter(hosts[0]!.host, hosts[0]!.port, 'srvr', 5000).catch(() => '');
    const version = /Zookeeper version: ([^\s,-]+)/.exec(srvr)?.[1] ?? 'unknown';

    const readMntr = async (): Promise<MntrSample | undefined> => {
      try {
        const answers = await Promise.all(hosts.map(async (h) => parseMntr(await fourLetter(h.host, h.port, 'mntr', 5000))));
        return answers.every((a) => typeof a['zk_packets_received'] === 'number') ? sumMntr(answers) : undefined;
      } catch {
        return undefined; // 4lw disabled (4lw.commands.whitelist) or a member down
      }
    };

    let closed = false;
    return {
      info: {
        kind,
        version,
        forceSync: opts.connect !== undefined ? "unknown (the ensemble's own setting; default yes)" : opts.forceSync ? 'yes' : 'no',
        settings: opts.connect !== undefined ? [] : benchServerSettings(opts.forceSync),
        members: hosts.length,
        rttMs: opts.rttMs,
        root,
      },
      clientHosts: proxies.length > 0 ? proxies.map((p) => p.address).join(',') : direct,
      root,
      ensemble,
      mntr: readMntr,
      cpuUs: () => processCpuUs(servers.map((m) => m.pid)),
      admin,
      async close() {
        if (closed) return;
        closed = true;
        await removeRoot(admin, root, base).catch(() => undefined);
        await Promise.allSettled(proxies.map((p) => p.close()));
        await stop();
      },
    };
  } catch (err) {
    await Promise.allSettled(proxies.map((p) => p.close()));
    await stop();
    throw err;
  }
}

/** Deletes the run's root, and `/zkts-bench` too when no other run is under it. */
async function removeRoot(admin: BenchServer['admin'], root: string, base: string): Promise<void> {
  await admin(async (a) => {
    await a.deleteRecursive(root);
    const parent = `${base}/zkts-bench`;
    if ((await a.getChildren(parent).catch(() => ['?'])).length === 0) await a.delete(parent).catch(() => undefined);
  });
}

let clockTicks: number | undefined;

/** utime + stime of local processes from /proc (Linux), µs; undefined when any cannot be read. */
export function processCpuUs(pids: readonly (number | undefined)[]): number | undefined {
  if (pids.length === 0 || pids.some((p) => p === undefined)) return undefined;
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
  let total = 0;
  for (const pid of pids) {
    try {
      // Fields after "(comm)": state is field 3, utime 14 and stime 15 (proc(5)).
      const stat = readFileSync(`/proc/${pid!}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(fields[11]) + Number(fields[12]);
    } catch {
      return undefined;
    }
  }
  return (total * 1e6) / clockTicks;
}
