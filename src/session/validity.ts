/**
 * How long the ensemble certainly keeps this session alive, built only from what answers prove about the
 * LEADER's view of it (ZooKeeper 3.8 source; docs/locks.md, section "The lease", names the classes and
 * methods each fact comes from).
 *
 * Facts. The leader expires a session T after the last touch IT applied (ExpiryQueue rounds up, never
 * down). A follower F touches only its own table on each request and hands the table to the leader in
 * its reply to the leader's PING, which the leader sends every tickTime/2; the leader applies those
 * touches in stream order. Syncs and writes are forwarded on that same F→leader stream and answered only
 * after the leader has read them. A write answered OK passed `checkSession` in the leader's prep (so the
 * session was not closing) and was committed by a quorum (so no newer leader existed yet; a new leader
 * re-arms every session with a full T when it takes over).
 *
 * The proof, per connection (X, Y1, Y2 on the same server):
 *  1. X answered at r_X: F touched the session at some time after X's send time s_X.
 *  2. Y1 (a sync or a write) sent at s1 ≥ r_X + π and answered: the leader queued Y1's answer after s1,
 *     so after at least one more PING (period ≤ π); F answered that PING, with X's touch, before Y1.
 *     From now on every request F forwards for us follows that PING reply: `applied` = s_X.
 *  3. Y2, a write sent after that and answered OK: the leader applied X's touch before prepping Y2, and
 *     the session was not closing at Y2's prep, so that touch took: expiry ≥ (touch time) + T > s_X + T.
 *     A quorum committed Y2, so a later leader started after it and re-armed the session with T.
 * A (re)connect is itself a touch the leader applied (createSession, or REVALIDATE) before anything we
 * send on that connection: `applied` = its send time; a new session's createSession was also committed.
 *
 * Assumptions: π (the leader's PING period, tickTime/2) ≤ 0.3 T, which holds when tickTime ≤ T/2 (the
 * server's default minSessionTimeout is 2 × tickTime, so every negotiated T qualifies unless an operator
 * lowered minSessionTimeout below that), with 20% slack for the leader's loop; clock rates of client and
 * leader differ by at most DRIFT; nobody changes T. Nothing depends on syncLimit or on which member we
 * are connected to; a read-only server proves nothing.
 */

import type { RequestOp } from '../protocol/requests.js';
import type { MultiResult } from '../protocol/records/multi.js';
import { ErrorCode } from '../protocol/constants.js';

/** Clock-rate error allowed between this client and the leader, each way (1,000 ppm). */
export const DRIFT = 0.001;
/** The bound on the leader's PING period, as a fraction of the session timeout (see above). */
export const PING_BOUND = 0.3;
/** How much older than PING_BOUND the proof may get before a renewal starts (fraction of T). */
const RENEWAL_GRACE = 0.05;

export class SessionValidity {
  /** Largest proven send time: the leader cannot expire the session before it plus T (its clock). */
  private proven = Number.NEGATIVE_INFINITY;
  private until = Number.NEGATIVE_INFINITY;
  /** On this connection: a send time whose touch the leader applies before reading our next request. */
  private appliedAt = Number.NEGATIVE_INFINITY;
  private active = false;
  private timeout = 0;
  private readonly answers = new AnswerHistory();
  /** Proofs so far (the keeper tells a proof obtained while held from an older one). */
  proofs = 0;
  /** Called after each proof that moved `validUntil`. */
  onProof: (() => void) | undefined;

  /** Monotonic ms before which the ensemble cannot expire the session; -Infinity when nothing proves it. */
  get validUntil(): number {
    return this.until;
  }

  /** The send time behind `validUntil`. */
  get provenSendTime(): number {
    return this.proven;
  }

  /** What a write sent now would prove if answered OK (-Infinity when nothing). */
  get applied(): number {
    return this.active ? this.appliedAt : Number.NEGATIVE_INFINITY;
  }

  /**
   * When a renewal should start: once the proof is π + a little old. The session's own writes usually
   * renew it before; on an idle connection a renewal still proves an answer about π old (validity-keeper).
   */
  get renewalDue(): number {
    return this.proven + (PING_BOUND + RENEWAL_GRACE) * this.timeout;
  }

  /** π: Y1 must be sent at least this long after X was answered. */
  get pingBound(): number {
    return PING_BOUND * this.timeout;
  }

  /**
   * A ConnectResponse arrived. `newSession`: the server created the session (a committed createSession,
   * which proves the connect's send time at once). A read-only server proves nothing on this connection.
   */
  connected(
    sentAt: number,
    receivedAt: number,
    timeout: number,
    { newSession, readOnly }: { newSession: boolean; readOnly: boolean },
  ): void {
    if (newSession) {
      this.proven = Number.NEGATIVE_INFINITY;
      this.until = Number.NEGATIVE_INFINITY;
    }
    this.timeout = timeout;
    this.answers.clear(timeout);
    this.active = !readOnly;
    this.appliedAt = readOnly ? Number.NEGATIVE_INFINITY : sentAt;
    if (!this.active) return;
    this.answers.add(sentAt, receivedAt);
    if (newSession && !readOnly) this.prove(sentAt);
  }

  /** The connection is gone: its answers prove nothing more (what was proven stays proven). */
  disconnected(): void {
    this.active = false;
    this.appliedAt = Number.NEGATIVE_INFINITY;
    this.answers.clear(this.timeout);
  }

  /** The session is over. */
  ended(): void {
    this.disconnected();
    this.proven = Number.NEGATIVE_INFINITY;
    this.until = Number.NEGATIVE_INFINITY;
  }

  /** Any request or ping sent at `sentAt` was answered at `receivedAt` (step 1: a touch on the server). */
  answered(sentAt: number, receivedAt: number): void {
    if (this.active) this.answers.add(sentAt, receivedAt);
  }

  /** A sync or write sent at `sentAt` was answered after the leader read it (step 2). */
  leaderAnswered(sentAt: number): void {
    if (!this.active) return;
    const x = this.answers.latestSentBefore(sentAt - this.pingBound);
    if (x > this.appliedAt) this.appliedAt = x;
  }

  /** A write answered OK; `applied` is what `applied` was when it was sent (step 3). */
  committed(applied: number): void {
    if (this.active) this.prove(applied);
  }

  /**
   * The earliest time at which a Y1 sent would credit an answer sent after `after` (and after what is
   * proven or applied already), or undefined when there is no such answer yet.
   */
  nextUseful(after = Number.NEGATIVE_INFINITY): number | undefined {
    const r = this.answers.firstReceivedAfterSent(Math.max(after, this.proven, this.appliedAt));
    return r === undefined ? undefined : r + this.pingBound;
  }

  /** The session timeout the proofs are measured in (0 before the first connection). */
  get sessionTimeout(): number {
    return this.timeout;
  }

  private prove(sentAt: number): void {
    if (sentAt <= this.proven) return;
    this.proven = sentAt;
    this.until = sentAt + this.timeout * (1 - 2 * DRIFT);
    this.proofs++;
    this.onProof?.();
  }
}

/**
 * Answers of one connection as (received time, largest send time so far), merged into buckets of a
 * fixed grid so a busy connection keeps a few hundred entries, not one per reply. Merging only loses
 * precision towards the safe side: a query before an entry's last answer skips its earlier ones too.
 */
class AnswerHistory {
  private received: number[] = [];
  private sent: number[] = [];
  private start = 0;
  private maxSent = Number.NEGATIVE_INFINITY;
  private grid = 1;
  private keep = 1;

  clear(timeout: number): void {
    this.received = [];
    this.sent = [];
    this.start = 0;
    this.maxSent = Number.NEGATIVE_INFINITY;
    this.grid = Math.max(1, timeout / 200);
    this.keep = Math.max(1, 2 * timeout);
  }

  add(sentAt: number, receivedAt: number): void {
    if (sentAt > this.maxSent) this.maxSent = sentAt;
    const n = this.received.length;
    if (n > this.start && Math.floor(this.received[n - 1]! / this.grid) === Math.floor(receivedAt / this.grid)) {
      this.received[n - 1] = receivedAt;
      this.sent[n - 1] = this.maxSent;
    } else {
      this.received.push(receivedAt);
      this.sent.push(this.maxSent);
    }
    this.prune(receivedAt);
  }

  /** Largest send time among answers received at or before `t` (in whole buckets); -Infinity if none. */
  latestSentBefore(t: number): number {
    let lo = this.start;
    let hi = this.received.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.received[mid]! <= t) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    // An entry's received time is that of the last answer merged into it, so all of its answers count.
    return found === -1 ? Number.NEGATIVE_INFINITY : this.sent[found]!;
  }

  /** Received time of the first entry whose answers include one sent after `sentAt`. */
  firstReceivedAfterSent(sentAt: number): number | undefined {
    let lo = this.start;
    let hi = this.sent.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sent[mid]! > sentAt) {
        found = mid;
        hi = mid - 1;
      } else {
        lo = mid + 1;
      }
    }
    return found === undefined ? undefined : this.received[found];
  }

  private prune(now: number): void {
    const horizon = now - this.keep;
    while (this.start < this.received.length - 1 && this.received[this.start + 1]! < horizon) this.start++;
    if (this.start > 1024 && this.start * 2 > this.received.length) {
      this.received = this.received.slice(this.start);
      this.sent = this.sent.slice(this.start);
      this.start = 0;
    }
  }
}

/** Error codes of a write that only the leader's prep produces (a follower's own checks give others). */
const LEADER_WRITE_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NONODE,
  ErrorCode.NODEEXISTS,
  ErrorCode.BADVERSION,
  ErrorCode.NOTEMPTY,
  ErrorCode.NOCHILDRENFOREPHEMERALS,
]);
const WRITES: ReadonlySet<RequestOp> = new Set<RequestOp>([
  'create',
  'create2',
  'createTTL',
  'createContainer',
  'delete',
  'setData',
  'setACL',
  'multi',
  'reconfig',
]);

/**
 * The reply could only come after the leader read the request (step 2): a sync answered, or a write
 * answered OK or with an error of the leader's prep (a failed multi is answered OK, with per-op errors).
 */
export function passedLeader(op: RequestOp, err: number): boolean {
  if (op === 'sync') return err === 0;
  return WRITES.has(op) && (err === 0 || LEADER_WRITE_ERRORS.has(err));
}

/** A write answered OK whose every op succeeded: it proves what it captured (step 3). */
export function committedOk(op: RequestOp, err: number, body: unknown): boolean {
  if (err !== 0 || !WRITES.has(op)) return false;
  return op !== 'multi' || (body as MultiResult[]).every((r) => r.op !== 'error');
}
