/**
 * A ZooKeeper ensemble (default 3 members) on loopback, for tests that stop, kill or pause members.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackDir, untrackDir } from './cleanup-registry.js';
import { startContainers } from './container-server.js';
import type { ZkMode } from './four-letter.js';
import { freePorts } from './free-port.js';
import { prepareProcessServer } from './process-factory.js';
import type { ZkServer } from './server.js';
import { lostPortRace, PORT_ATTEMPTS, startableLocation, type StartOptions } from './standalone.js';
import { scaled } from './timing.js';
import { waitFor } from './wait.js';
import type { PeerPorts } from './zoo-config.js';

export class ZkEnsemble {
  readonly members: readonly ZkServer[];
  private readonly release: () => Promise<void>;

  constructor(members: readonly ZkServer[], release: () => Promise<void>) {
    this.members = members;
    this.release = release;
  }

  /** Every member, comma separated (no chroot). */
  get connectString(): string {
    return this.members.map((m) => m.connectString).join(',');
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

  /** Stops every member and deletes their data. */
  async destroy(): Promise<void> {
    const results = await Promise.allSettled(this.members.map((m) => m.destroy()));
    await this.release();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** Starts a `size`-member ensemble and resolves once it has a leader and all others follow. */
export async function startEnsemble(size = 3, opts: StartOptions = {}): Promise<ZkEnsemble> {
  if (!Number.isInteger(size) || size < 2) throw new Error(`an ensemble needs at least 2 members, got ${size}`);
  const location = await startableLocation(opts);
  const timeoutMs = opts.startTimeoutMs ?? scaled(60_000);
  if (location.kind === 'docker') {
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
    const ports = await freePorts(3 * size);
    const peers: PeerPorts[] = Array.from({ length: size }, (_, i) => ({
      id: i + 1,
      clientPort: ports[3 * i]!,
      quorumPort: ports[3 * i + 1]!,
      electionPort: ports[3 * i + 2]!,
    }));
    const members = peers.map((p) =>
      prepareProcessServer(location, join(root, `server-${p.id}`), p.id, p.clientPort, peers, opts, root),
    );
    const ensemble = new ZkEnsemble(members, async () => {
      rmSync(root, { recursive: true, force: true });
      untrackDir(root);
    });
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
