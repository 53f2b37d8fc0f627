/**
 * The ensemble's server-to-server links, each through its own LinkProxy, so a test can partition
 * members from each other while their client ports stay reachable. For every ordered pair i→j there is
 * a quorum proxy (→ j's quorum port) and an election proxy (→ j's election port); member i's zoo.cfg
 * names those proxies for every other member and its own real ports for itself.
 *
 * Learners dial the leader's quorum address from their own config (Learner.findLeader), so quorum links
 * need nothing more. Election connections announce the dialler's own address, which the receiver dials
 * back when it has the larger sid: the i→j election proxy announces the j→i proxy instead
 * (initial-message.ts).
 */
import { rewriteInitialMessage } from '../proxy/initial-message.js';
import { LinkProxy, type LinkProxyOptions, type LinkTarget } from '../proxy/link-proxy.js';
import { ownSocketInodes, tcpConnections } from './tcp-table.js';
import type { PeerPorts } from './zoo-config.js';

interface Link {
  from: number;
  to: number;
  quorum: LinkProxy;
  election: LinkProxy;
}

export class LinkMesh {
  private readonly links: readonly Link[];
  private real: readonly PeerPorts[] = [];
  private readonly isolated = new Set<number>();
  private readonly delays = new Map<number, number>();

  private constructor(links: readonly Link[]) {
    this.links = links;
  }

  /** Starts the proxies for members 1..size; route() tells them where the members listen. */
  static async start(size: number): Promise<LinkMesh> {
    const links: Link[] = [];
    const started: LinkProxy[] = [];
    // Filled in below; targets and rewrites read it per connection, once route() has set the ports.
    const mesh = new LinkMesh(links);
    const proxy = async (options: LinkProxyOptions): Promise<LinkProxy> => {
      const p = await LinkProxy.start(options);
      started.push(p);
      return p;
    };
    const realTarget = (id: number, kind: 'quorumPort' | 'electionPort') => (): LinkTarget => {
      const peer = mesh.real.find((p) => p.id === id);
      if (!peer) throw new Error(`link mesh: member ${id} is not routed yet`);
      return { host: '127.0.0.1', port: peer[kind] };
    };
    try {
      for (let from = 1; from <= size; from++) {
        for (let to = 1; to <= size; to++) {
          if (from === to) continue;
          links.push({
            from,
            to,
            quorum: await proxy({ target: realTarget(to, 'quorumPort') }),
            election: await proxy({
              target: realTarget(to, 'electionPort'),
              rewrite: (head) => rewriteInitialMessage(head, mesh.link(to, from).election.address),
            }),
          });
        }
      }
    } catch (err) {
      await Promise.allSettled(started.map((p) => p.close()));
      throw err;
    }
    return mesh;
  }

  /** Where the members really listen. */
  route(peers: readonly PeerPorts[]): void {
    this.real = peers.map((p) => ({ ...p }));
  }

  /** The server lines member `id` is configured with: its own real ports, proxies for the others. */
  viewOf(id: number): PeerPorts[] {
    return this.real.map((p) => {
      if (p.id === id) return { ...p };
      const link = this.link(id, p.id);
      return { ...p, quorumPort: link.quorum.port, electionPort: link.election.port };
    });
  }

  /** Cuts every link from and to `id`, quorum and election. */
  isolate(id: number): void {
    this.known(id);
    this.isolated.add(id);
    this.apply();
  }

  /** Heals the links of `id` (those to another isolated member stay cut), or all links. */
  heal(id?: number): void {
    if (id === undefined) this.isolated.clear();
    else this.isolated.delete(this.known(id));
    this.apply();
  }

  /** Latency on every quorum link from and to `id`, both ways; 0 removes it. */
  delayLinks(id: number, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`delay must be a finite number >= 0, got ${ms}`);
    this.delays.set(this.known(id), ms);
    for (const l of this.links) l.quorum.delay(Math.max(this.delays.get(l.from) ?? 0, this.delays.get(l.to) ?? 0));
  }

  /**
   * Established connections to a member's real quorum or election port that did not come through a
   * proxy (every proxy's upstream socket belongs to this process). Linux only: reads /proc.
   */
  bypasses(): string[] {
    const own = ownSocketInodes();
    const ports = new Map<number, string>();
    for (const p of this.real) {
      ports.set(p.quorumPort, `member ${p.id} quorum port ${p.quorumPort}`);
      ports.set(p.electionPort, `member ${p.id} election port ${p.electionPort}`);
    }
    return tcpConnections()
      .filter((c) => ports.has(c.remotePort) && !own.has(c.inode))
      .map((c) => `127.0.0.1:${c.localPort} → ${ports.get(c.remotePort)!}`);
  }

  /** Closes every proxy, dropping whatever they hold. Idempotent. */
  async close(): Promise<void> {
    await Promise.allSettled(this.links.flatMap((l) => [l.quorum.close(), l.election.close()]));
  }

  private apply(): void {
    for (const l of this.links) {
      const cut = this.isolated.has(l.from) || this.isolated.has(l.to);
      for (const proxy of [l.quorum, l.election]) {
        if (cut) proxy.cut();
        else proxy.heal();
      }
    }
  }

  private link(from: number, to: number): Link {
    const link = this.links.find((l) => l.from === from && l.to === to);
    if (!link) throw new Error(`link mesh: no link ${from}→${to}`);
    return link;
  }

  private known(id: number): number {
    if (!this.links.some((l) => l.from === id)) throw new Error(`link mesh: no member ${id}`);
    return id;
  }
}
