/**
 * ZooKeeper in the official Docker image, driven through testcontainers: the fallback when no local
 * install exists. Host ports are fixed at creation so a restarted container keeps them; testcontainers'
 * reaper (Ryuk) removes the containers if this process dies.
 */
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { StartedNetwork, StartedTestContainer } from 'testcontainers';
import { trackDir, untrackDir } from './cleanup-registry.js';
import { fetchMntr, fetchMode, fourLetter, isServing, type ZkMode } from './four-letter.js';
import { freePorts } from './free-port.js';
import { logTailOf, type ZkServer, type ZkServerState } from './server.js';
import { superDigestFlag } from './super-auth.js';
import { scaled } from './timing.js';
import { waitFor } from './wait.js';
import { defaultStartTimeout, type ZkServerOptions } from './zoo-config.js';

type Testcontainers = typeof import('testcontainers');
type DockerodeContainer = ReturnType<Awaited<ReturnType<Testcontainers['getContainerRuntimeClient']>>['container']['getById']>;

function containerEnv(opts: ZkServerOptions, tickTime: number): Record<string, string> {
  const flags = [
    '-Dzookeeper.extendedTypesEnabled=true',
    `-Dznode.container.checkIntervalMs=${opts.containerCheckIntervalMs ?? 1000}`,
    '-Dzookeeper.fastleader.maxNotificationInterval=1000',
    ...((opts.superDigest ?? true) ? [superDigestFlag()] : []),
    ...(opts.jvmFlags ?? []),
  ];
  const extra = {
    minSessionTimeout: opts.minSessionTimeout ?? 2 * tickTime,
    maxSessionTimeout: opts.maxSessionTimeout ?? 60_000,
    forceSync: 'no',
    ...(opts.config ?? {}),
  };
  return {
    ZOO_TICK_TIME: String(tickTime),
    ZOO_INIT_LIMIT: '50',
    ZOO_SYNC_LIMIT: '25',
    ZOO_4LW_COMMANDS_WHITELIST: '*',
    ZOO_ADMINSERVER_ENABLED: 'false',
    ZOO_CFG_EXTRA: Object.entries(extra)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' '),
    JVMFLAGS: [`-Xmx${opts.heapMb ?? 128}m`, ...flags].join(' '),
  };
}

export class ZkContainerServer implements ZkServer {
  readonly id: number;
  readonly clientPort: number;
  readonly logFile: string;
  readonly pid = undefined;
  private readonly logDir: string;
  private readonly startTimeoutMs: number;
  private readonly started: StartedTestContainer;
  private readonly container: DockerodeContainer;
  private log: WriteStream;
  private current: ZkServerState = 'running';

  constructor(
    id: number,
    clientPort: number,
    logDir: string,
    started: StartedTestContainer,
    container: DockerodeContainer,
    log: WriteStream,
    startTimeoutMs: number,
  ) {
    this.id = id;
    this.clientPort = clientPort;
    this.logDir = logDir;
    this.logFile = join(logDir, 'zookeeper.log');
    this.started = started;
    this.container = container;
    this.log = log;
    this.startTimeoutMs = startTimeoutMs;
  }

  get host(): string {
    return this.started.getHost();
  }

  get connectString(): string {
    return `${this.host}:${this.clientPort}`;
  }

  get state(): ZkServerState {
    return this.current;
  }

  async waitServing(timeoutMs = this.startTimeoutMs): Promise<void> {
    await waitFor(async () => ((await this.srvr(scaled(1000)).then(isServing, () => false)) ? true : undefined), {
      timeoutMs,
      intervalMs: 100,
      what: `ZooKeeper container ${this.id} on ${this.connectString} to serve`,
      abortIf: () => (this.current === 'stopped' ? 'the container was stopped' : undefined),
      detail: () => `log tail of ${this.logFile}:\n${this.logTail(40)}`,
    });
  }

  async stop(timeoutMs = scaled(10_000)): Promise<void> {
    if (this.current === 'stopped') return;
    if (this.current === 'paused') await this.container.unpause();
    await this.container.stop({ t: Math.max(1, Math.ceil(timeoutMs / 1000)) });
    this.current = 'stopped';
  }

  async kill(): Promise<void> {
    if (this.current === 'stopped') return;
    await this.container.kill({ signal: 'SIGKILL' });
    this.current = 'stopped';
  }

  async pause(): Promise<void> {
    await this.container.pause();
    this.current = 'paused';
  }

  async resume(): Promise<void> {
    await this.container.unpause();
    this.current = 'running';
  }

  async restart(timeoutMs = this.startTimeoutMs): Promise<void> {
    await this.stop();
    await this.container.start();
    this.current = 'running';
    // The first log stream ended with the old process; follow the new one.
    const since = Math.floor(Date.now() / 1000);
    const stream = (await this.container.logs({ follow: true, stdout: true, stderr: true, since })) as unknown as Readable;
    stream.pipe(this.log, { end: false });
    await this.waitServing(timeoutMs);
  }

  srvr(timeoutMs = scaled(2000)): Promise<string> {
    return fourLetter(this.host, this.clientPort, 'srvr', timeoutMs);
  }

  mntr(timeoutMs = scaled(2000)): Promise<Record<string, string | number>> {
    return fetchMntr(this.host, this.clientPort, timeoutMs);
  }

  mode(timeoutMs = scaled(1000)): Promise<ZkMode | undefined> {
    return fetchMode(this.host, this.clientPort, timeoutMs);
  }

  logTail(lines = 40): string {
    return logTailOf(this.logFile, lines);
  }

  async destroy(): Promise<void> {
    try {
      if (this.current === 'paused') await this.container.unpause().catch(() => undefined);
      await this.started.stop({ remove: true, timeout: 1000 }).catch(() => this.container.remove({ force: true }));
    } finally {
      this.log.end();
      rmSync(this.logDir, { recursive: true, force: true });
      untrackDir(this.logDir);
    }
  }
}

/** Starts `size` containers (1 = standalone; more = an ensemble on a private network). */
export async function startContainers(
  image: string,
  size: number,
  opts: ZkServerOptions,
): Promise<{ servers: ZkContainerServer[]; network: StartedNetwork | undefined }> {
  const tc: Testcontainers = await import('testcontainers');
  const client = await tc.getContainerRuntimeClient();
  const tickTime = opts.tickTime ?? (size > 1 ? 200 : 100);
  const network = size > 1 ? await new tc.Network().start() : undefined;
  const ports = await freePorts(size);
  const startTimeoutMs = defaultStartTimeout(opts);
  const servers: ZkContainerServer[] = [];
  try {
    const starting = ports.map(async (port, i) => {
      const id = i + 1;
      const logDir = mkdtempSync(join(tmpdir(), `zkts-zk-docker-${id}-`));
      trackDir(logDir);
      const log = createWriteStream(join(logDir, 'zookeeper.log'), { flags: 'a' });
      const env = containerEnv(opts, tickTime);
      if (network) {
        env['ZOO_MY_ID'] = String(id);
        env['ZOO_SERVERS'] = ports.map((_, j) => `server.${j + 1}=zoo${j + 1}:2888:3888;2181`).join(' ');
      }
      let container = new tc.GenericContainer(image)
        .withEnvironment(env)
        .withExposedPorts({ container: 2181, host: port })
        .withStartupTimeout(startTimeoutMs)
        .withLogConsumer((stream) => stream.pipe(log, { end: false }));
      if (network) container = container.withNetwork(network).withNetworkAliases(`zoo${id}`);
      const started = await container.start();
      const handle = client.container.getById(started.getId());
      const server = new ZkContainerServer(id, port, logDir, started, handle, log, startTimeoutMs);
      servers.push(server);
      return server;
    });
    // allSettled: a failed start must not leave siblings that finish later unaccounted for.
    const results = await Promise.allSettled(starting);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (!network) await servers[0]!.waitServing();
    return { servers: servers.sort((a, b) => a.id - b.id), network };
  } catch (err) {
    await Promise.allSettled(servers.map((s) => s.destroy()));
    await network?.stop().catch(() => undefined);
    throw err;
  }
}
