/**
 * Each runner process's own way to the servers in a fault run: one FaultProxy per ensemble member per
 * worker, so one worker can be cut off from every server (black-holed) while the other goes on. A
 * black-holed connection stays dead after the cut ends (its stream lost bytes); the clients notice by
 * their own timeouts and connect again through the same proxies, as after a real network cut.
 */
import { FaultProxy } from '../../../test/support/proxy/index.js';

export interface Target {
  host: string;
  port: number;
}

export class WorkerLinks {
  /** proxies[w][m]: worker w's proxy to member m. */
  private readonly proxies: FaultProxy[][];

  private constructor(proxies: FaultProxy[][]) {
    this.proxies = proxies;
  }

  /** Proxies for `workers` workers to every target, each adding half of `rttMs` each way. */
  static async start(workers: number, targets: readonly Target[], rttMs: number): Promise<WorkerLinks> {
    const proxies: FaultProxy[][] = [];
    try {
      for (let w = 0; w < workers; w++) {
        const row: FaultProxy[] = [];
        proxies.push(row);
        for (const target of targets) {
          const p = await FaultProxy.start({ target });
          if (rttMs > 0) p.setLatency({ toServer: rttMs / 2, toClient: rttMs / 2 });
          row.push(p);
        }
      }
    } catch (err) {
      await Promise.allSettled(proxies.flat().map((p) => p.close()));
      throw err;
    }
    return new WorkerLinks(proxies);
  }

  /** Worker `w`'s connect string: its own proxies, one per member. */
  connectString(w: number): string {
    return this.row(w)
      .map((p) => p.address)
      .join(',');
  }

  /** Black-holes (or restores) every link of worker `w`. */
  cutOff(w: number, on: boolean): void {
    for (const p of this.row(w)) p.blackhole(on);
  }

  /** Ends every cut (after a schedule broke off). */
  restoreAll(): void {
    for (const p of this.proxies.flat()) p.blackhole(false);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.proxies.flat().map((p) => p.close()));
  }

  private row(w: number): FaultProxy[] {
    const row = this.proxies[w];
    if (row === undefined) throw new Error(`no links for worker ${w}`);
    return row;
  }
}
