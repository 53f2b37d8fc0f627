/**
 * Keeps SessionValidity's proof fresh while someone holds it (a lock holder or contender): when the
 * session's own traffic proves nothing new, it sends Y1 (a sync) once an answer is old enough, then Y2 (a
 * write that changes nothing: a multi holding one `check` of the server's root). On an idle healthy
 * connection that is one sync and one write per 0.3 T plus three round trips, per session, whatever the
 * number of holds; a session busy with its own writes (a lock loop) needs none. See validity.ts.
 *
 * Renewal then never lets the proof get older than 2π + 4 round trips (0.6 T + 4 RTT): a lease with a
 * margin up to MAX_MARGIN × T never lapses on a healthy connection. A hold that starts with a stale proof
 * (the session was idle) is `ready` only once a fresh proof arrives, so a lease is never born about to
 * lapse before its first renewal could land.
 *
 * A side effect on a follower cut off from the leader: a follower queues a session's later requests, its
 * pings included, behind that session's pending sync (CommitProcessor), so with a renewal stuck there the
 * pings go unanswered and the read timeout (2T/3) moves the client to another member, where REVALIDATE
 * may still save the session (observed in test/integration/faults/lease-partition.test.ts).
 */
import { ClientClosedError, InvalidArgumentError } from '../errors.js';
import type { Clock, TimerHandle } from './clock.js';
import { PING_BOUND, type SessionValidity } from './validity.js';

/** Largest lease margin, as a fraction of T, that renewal keeps from lapsing on a healthy connection. */
export const MAX_MARGIN = 0.25;
/** A proof at least this fresh when a hold starts (fraction of T, beyond π) can be kept alive by renewal. */
const FRESH_AT_START = 0.1;

export interface KeeperHost {
  readonly clock: Clock;
  /** Connected to a read-write server. */
  ready(): boolean;
  /** Sends Y1 ('sync') or Y2 ('write'); resolves true when answered OK, false otherwise. Never rejects. */
  send(kind: 'sync' | 'write'): Promise<boolean>;
  /** Called after a renewal request failed; once per failure streak. */
  failed(kind: 'sync' | 'write'): void;
  /** Why waiting is pointless (the session ended), or undefined while it lives. */
  ended(): Error | undefined;
}

/** A claim on the session's validity: renewal runs while at least one is held. */
export interface ValidityHold {
  /**
   * Resolves once `validUntil - margin` lies ahead and renewal can keep it there: the proof was obtained
   * while held, or was fresh enough when the hold started. Rejects when the session ends. Never times out:
   * race it with your own deadline.
   */
  ready(margin: number): Promise<void>;
  /** Idempotent. */
  release(): void;
}

export class ValidityKeeper {
  private holds = 0;
  private inFlight = false;
  private timer: TimerHandle | undefined;
  private failing = false;
  /** Just before the send time of the last renewal sync. */
  private lastSync = Number.NEGATIVE_INFINITY;
  /** Proof count and remaining validity when the holds went from none to one. */
  private proofsAtStart = 0;
  private remainingAtStart = Number.NEGATIVE_INFINITY;
  private waiters: (() => void)[] = [];
  private readonly validity: SessionValidity;
  private readonly host: KeeperHost;

  constructor(validity: SessionValidity, host: KeeperHost) {
    this.validity = validity;
    this.host = host;
    validity.onProof = () => this.wake();
  }

  hold(): ValidityHold {
    this.holds++;
    if (this.holds === 1) {
      this.proofsAtStart = this.validity.proofs;
      this.remainingAtStart = this.validity.validUntil - this.host.clock.now();
      this.poke();
    }
    let released = false;
    return {
      ready: (margin) => this.ready(margin),
      release: () => {
        if (released) return;
        released = true;
        this.holds--;
        if (this.holds > 0) return;
        this.stopTimer();
        this.wake();
      },
    };
  }

  /** Looks again at what to send: on a new hold, a new connection, after each renewal answer. */
  poke(): void {
    this.stopTimer();
    if (this.holds === 0 || this.inFlight || !this.host.ready()) return;
    const v = this.validity;
    const now = this.host.clock.now();
    // Act only once the proof is older than the session's own writes would leave it: a lock loop proves
    // itself with its creates and deletes, and must not pay a renewal write per acquisition.
    const due = v.renewalDue;
    if (now < due) {
      this.wakeAt(due, now);
      return;
    }
    if (v.applied > v.provenSendTime) {
      this.run('write');
      return;
    }
    // The next X is our own last sync or anything newer: proving anything older would only add a cycle
    // between two of ours (the proof lags one cycle behind by design, see validity.ts step 2).
    const at = v.nextUseful(this.lastSync);
    if (at === undefined || at <= now) {
      // Either an answer is old enough to be proven by a sync now, or there is none since the proof: a
      // sync then creates one (it is answered, so it is the next X).
      this.lastSync = now - 0.001;
      this.run('sync');
      return;
    }
    this.wakeAt(at, now);
  }

  /** The session ended: nothing more to renew; waiting holds reject. */
  stop(): void {
    this.stopTimer();
    this.wake();
  }

  private sustainable(margin: number): boolean {
    const v = this.validity;
    if (this.host.clock.now() >= v.validUntil - margin) return false;
    if (this.holds > 0 && v.proofs > this.proofsAtStart) return true;
    return this.remainingAtStart - margin >= (PING_BOUND + FRESH_AT_START) * v.sessionTimeout;
  }

  private ready(margin: number): Promise<void> {
    if (!(margin >= 0 && margin <= MAX_MARGIN * this.validity.sessionTimeout)) {
      return Promise.reject(
        new InvalidArgumentError(
          `lease margin ${margin} ms is outside 0..${MAX_MARGIN * this.validity.sessionTimeout} ms (a quarter of the session timeout)`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const check = (): boolean => {
        const ended = this.host.ended();
        if (ended !== undefined) {
          reject(ended);
          return true;
        }
        if (this.holds === 0) {
          reject(new ClientClosedError('the validity hold was released while waiting'));
          return true;
        }
        if (!this.sustainable(margin)) return false;
        resolve();
        return true;
      };
      if (check()) return;
      const waiter = (): void => {
        if (!check()) this.waiters.push(waiter);
      };
      this.waiters.push(waiter);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private run(kind: 'sync' | 'write'): void {
    this.inFlight = true;
    void this.host.send(kind).then((ok) => {
      this.inFlight = false;
      if (ok) {
        this.failing = false;
        this.poke();
        return;
      }
      // A lost connection is no news (the state changes say it); a refusal on a live one is.
      if (!this.failing && this.host.ready()) this.host.failed(kind);
      this.failing = true;
      // Not proven (a lost connection is retried on the next one via poke): wait before trying again so a
      // server that refuses the write is not hammered.
      if (this.holds > 0 && this.host.ready())
        this.wakeAt(this.host.clock.now() + Math.max(10, this.validity.pingBound / 3), this.host.clock.now());
    });
  }

  private wakeAt(at: number, now: number): void {
    this.timer = this.host.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.poke();
      },
      Math.max(1, Math.ceil(at - now)),
    );
  }

  private stopTimer(): void {
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
