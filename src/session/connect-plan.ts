/**
 * Where and when the session connects next: host rotation over resolved addresses (hosts.ts), a host
 * the read-only search found to try first, and the delay before each attempt: none for the first try
 * after a drop, a few ms of jitter between hosts, bounded exponential backoff with full jitter after a
 * whole pass over the hosts failed (timeouts.ts backoffDelay).
 */
import type { HostAddress } from './connect-string.js';
import { type Endpoint, type HostLog, HostProvider, type Resolver } from './hosts.js';
import { backoffDelay } from './timeouts.js';

export class ConnectPlan {
  /** A read-write server the read-only search found: the next attempt goes there. */
  preferred: Endpoint | undefined;
  private readonly hosts: HostProvider;
  private readonly random: () => number;
  private failedInPass = 0;
  private failedPasses = 0;

  constructor(hosts: readonly HostAddress[], options: { random: () => number; resolve: Resolver; log: HostLog }) {
    this.random = options.random;
    this.hosts = new HostProvider(hosts, options);
  }

  /** Hosts in a pass: every address a name resolves to counts. */
  get size(): number {
    return this.hosts.size;
  }

  /** The host to try next (the preferred one first), its name resolved again. */
  async next(signal: AbortSignal): Promise<Endpoint> {
    const preferred = this.preferred;
    this.preferred = undefined;
    return preferred ?? this.hosts.next(signal);
  }

  /** The next host in rotation, for the read-only search's probes. */
  probeNext(signal: AbortSignal): Promise<Endpoint> {
    return this.hosts.next(signal);
  }

  /** ms to wait before the next attempt. */
  delay(firstAfterDrop: boolean): number {
    if (firstAfterDrop) return 0;
    if (this.failedInPass === 0 && this.failedPasses > 0) return backoffDelay(this.failedPasses, this.random);
    return Math.floor(this.random() * 50);
  }

  /** An attempt failed; `whole` when no host could even be picked (nothing resolves): a failed pass. */
  failed(whole: boolean): void {
    this.failedInPass++;
    if (whole || this.failedInPass >= this.hosts.size) {
      this.failedInPass = 0;
      this.failedPasses++;
    }
  }

  succeeded(): void {
    this.failedInPass = 0;
    this.failedPasses = 0;
  }
}
