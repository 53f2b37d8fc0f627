/**
 * A ZooKeeper ensemble (default 3 members) on loopback, for tests that stop, kill or pause members, or
 * (with `linkProxies`) partition them from each other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackDir, untrackDir } from './cleanup-registry.js';
import { startContainers } from './container-server.js';
import type { ZkMode } from './four-letter.js';
import { freePorts } from './free-port.js';
import { LinkMesh } from './link-mesh.js';
import { prepareProcessServer } from './process-factory.js';
import type { ZkServer } from './server.js';
import { lostPortRace, PORT_ATTEMPTS, startableLocation, type StartOptions } from './standalone.js';
import { scaled } from './timing.js';
import { waitFor } from './wait.js';
import type { PeerPorts } from './zoo-config.js';

export interface EnsembleOptions extends StartOptions {
  /**
   * Route every quorum and election link through its own LinkProxy (local JVMs only), so isolate(),
   * heal() and delayLinks() can partition members while their client ports stay reachable.
   */
  linkProxies?: boolean;
}

export class ZkEnsemble {
  readonly members: readonly ZkServer[];
  private readonly release: () => Promise<void>;
  private readonly links: LinkMesh | undefined;

  constructor(members: readonly ZkServer[], release: () => Promise<void>, links?: LinkMesh) {
    this.members = members;
    this.release = release;
    this.links = links;
  }

  /** Every member, comma separated (no chroot). */
  get connectString(): string {
    return this.members.map((m) => m.connectString).join(',');
  }

  /** Every member's TLS port, comma separated (started with `secureClientPort`). */
  get secureConnectString(): string {
    return this.members.map((m) => m.secureConnectString!).join(',');
  }

  /** The member with this myid (1-based). */
  member(id: number): ZkServer {
    const m = this.members.find((s) => s.id === id);
    if (!m) throw new Error(`no ensemble member ${id}`);
    return m;
  }

  /** Current mode of every member, in member order (undefined: down, paused or not serving). */
  modes(timeoutMs = scaled(1000)): Promise<(ZkMode | undefined)[]> {
    return Promise.all(this.members.map((m) => (m.state === 'running' ? m.mode(timeoutMs) : Promise.resolve(undefined))));
  }

  private detail(): string {
    return this.members.map((m) => `--- member ${m.id} (${m.state}) log tail:\n${m.logTail(15)}`).join('\n');
  }

  /** Waits until exactly one member reports `Mode: leader` and returns it. */
  async leader(timeoutMs = scaled(30_000)): Promise<ZkServer> {
    return waitFor(
      async () => {
        const modes = await this.modes();
        const leaders = this.members.filter((_, i) => modes[i] === 'leader');
        return leaders.length === 1 ? leaders[0] : undefined;
      },
      { timeoutMs, intervalMs: 100, what: 'exactly one ensemble leader', detail: () => this.detail() },
    );
  }

  /** Members reporting `Mode: follower`, once a leader exists. */
  async followers(timeoutMs = scaled(30_000)): Promise<ZkServer[]> {
    await this.leader(timeoutMs);
    const modes = await this.modes();
    return this.members.filter((_, i) => modes[i] === 'follower');
  }

  /**
   * Waits until every running member serves: one leader, the rest followers. With `requireAll`
   * (used at start-up) a member that exited fails the wait instead of being left out.
   */
  waitForQuorum(
    timeoutMs = scaled(30_000),
    { requireAll = false }: { requireAll?: boolean } = {},
  ): Promise<{ leader: ZkServer; followers: ZkServer[] }> {
    return waitFor(
      async () => {
        const running = this.members.filter((m) => m.state === 'running');
        const modes = await Promise.all(running.map((m) => m.mode()));
        const leaders = running.filter((_, i) => modes[i] === 'leader');
        const followers = running.filter((_, i) => modes[i] === 'follower');
        if (leaders.length !== 1 || leaders.length + followers.length !== running.length) return undefined;
        return { leader: leaders[0]!, followers };
      },
      {
        timeoutMs,
        intervalMs: 100,
        what: 'every running member to serve under one leader',
        detail: () => this.detail(),
        abortIf: () => {
          const down = this.members.find((m) => m.state === 'stopped');
          return requireAll && down ? `member ${down.id} exited` : undefined;
        },
      },
    );
  }

  /**
   * Cuts every link from and to member `id`, quorum and election, both ways: a minority partition. The
   * member keeps its client port; bytes and closes are held until heal(). Needs `linkProxies`.
   */
  isolate(id: number): void {
    this.mesh().isolate(this.member(id).id);
  }

  /** Heals the links of member `id` (links to another isolated member stay cut), or every link. */
  heal(id?: number): void {
    this.mesh().heal(id === undefined ? undefined : this.member(id).id);
  }

  /** Adds `ms` of latency each way to every quorum link from and to member `id`; 0 removes it. */
  delayLinks(id: number, ms: number): void {
    this.mesh().delayLinks(this.member(id).id, ms);
  }

  /**
   * Connections between members that go around the link proxies (expected: none), for a test to prove
   * a partition is real. Linux only (reads /proc/net/tcp).
   */
  linkBypasses(): string[] {
    return this.mesh().bypasses();
  }

  private mesh(): LinkMesh {
    if (!this.links) throw new Error('this ensemble has no link proxies: start it with startEnsemble(n, { linkProxies: true })');
    return this.links;
  }

  /** Stops every member and deletes their data. */
  async destroy(): Promise<void> {
    const results = await Promise.allSettled(this.members.map((m) => m.destroy()));
    await this.release();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** Starts a `size`-member ensemble and resolves once it has a leader and all others follow. */
export async function startEnsemble(size = 3, opts: EnsembleOptions = {}): Promise<ZkEnsemble> {
  if (!Number.isInteger(size) || size < 2) throw new Error(`an ensemble needs at least 2 members, got ${size}`);
  const location = await startableLocation(opts);
  const timeoutMs = opts.startTimeoutMs ?? scaled(60_000);
  if (location.kind === 'docker') {
    if (opts.linkProxies)
      throw new Error('linkProxies needs ZooKeeper as local JVMs: containers cannot reach proxies on the host loopback');
    const { servers, network } = await startContainers(location.image, size, opts);
    const ensemble = new ZkEnsemble(servers, async () => {
      await network?.stop();
    });
    try {
      await ensemble.waitForQuorum(timeoutMs, { requireAll: true });
    } catch (err) {
      await ensemble.destroy();
      throw err;
    }
    return ensemble;
  }
  for (let attempt = 1; ; attempt++) {
    const root = mkdtempSync(join(tmpdir(), 'zkts-zk-ensemble-'));
    trackDir(root);
    // Proxies first: listening already, they cannot take a port freePorts() hands to a JVM.
    const links = opts.linkProxies ? await LinkMesh.start(size) : undefined;
    const peers = await freePeerPorts(size, opts.secureClientPort === true).catch(async (err: unknown) => {
      await links?.close();
      throw err;
    });
    links?.route(peers);
    const members = peers.map((p) =>
      prepareProcessServer(
        location,
        join(root, `server-${p.id}`),
        p.id,
        p.clientPort,
        links?.viewOf(p.id) ?? peers,
        opts,
        root,
        p.securePort,
      ),
    );
    const ensemble = new ZkEnsemble(
      members,
      async () => {
        await links?.close();
        rmSync(root, { recursive: true, force: true });
        untrackDir(root);
      },
      links,
    );
    try {
      for (const m of members) await m.start();
      await ensemble.waitForQuorum(timeoutMs, { requireAll: true });
      return ensemble;
    } catch (err) {
      const retry = attempt < PORT_ATTEMPTS && members.some(lostPortRace);
      await ensemble.destroy();
      if (!retry) throw err;
    }
  }
}

async function freePeerPorts(size: number, secure: boolean): Promise<PeerPorts[]> {
  const per = secure ? 4 : 3;
  const ports = await freePorts(per * size);
  return Array.from({ length: size }, (_, i) => ({
    id: i + 1,
    clientPort: ports[per * i]!,
    quorumPort: ports[per * i + 1]!,
    electionPort: ports[per * i + 2]!,
    securePort: secure ? ports[per * i + 3] : undefined,
  }));
}
