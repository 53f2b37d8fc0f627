/**
 * Figures derived from raw samples and server counters: latency summaries (through the histogram),
 * rates, per-acquisition ratios from `mntr` deltas, and the ceiling a floor measurement implies.
 */
import { Histogram } from './histogram.js';

/** A latency distribution in microseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(valuesUs: Iterable<number>): LatencySummary {
  const h = new Histogram().recordAll(valuesUs);
  return {
    count: h.count,
    p50: h.percentile(50),
    p90: h.percentile(90),
    p99: h.percentile(99),
    max: h.max,
    mean: Math.round(h.mean * 10) / 10,
  };
}

/** The `mntr` counters the benchmark reads, summed over the servers of an ensemble. */
export interface MntrSample {
  packetsReceived: number;
  packetsSent: number;
  watchCount: number;
  /** Log flushes (fsync'd batches) of the sync processor: zk_cnt_sync_processor_batch_size (3.6+). */
  syncBatches: number;
}

/** Sums the counters of several servers' parsed `mntr` answers (missing keys count as 0). */
export function sumMntr(answers: readonly Record<string, string | number>[]): MntrSample {
  const num = (r: Record<string, string | number>, k: string): number => (typeof r[k] === 'number' ? r[k] : 0);
  return {
    packetsReceived: answers.reduce((s, r) => s + num(r, 'zk_packets_received'), 0),
    packetsSent: answers.reduce((s, r) => s + num(r, 'zk_packets_sent'), 0),
    watchCount: answers.reduce((s, r) => s + num(r, 'zk_watch_count'), 0),
    syncBatches: answers.reduce((s, r) => s + num(r, 'zk_cnt_sync_processor_batch_size'), 0),
  };
}

export interface ServerCostPerAcquisition {
  /** Requests the server received per acquisition (create, reads, watches, release, pings). */
  requestsPerAcquisition: number;
  /**
   * Watch notifications the server sent per acquisition: every request gets exactly one reply, so the
   * packets sent beyond the packets received are the notifications.
   */
  notificationsPerHandoff: number;
  /**
   * Transaction-log flushes per acquisition (every server's, so about 1 per member for each batch on an
   * ensemble); null when the server does not report them. Writes that reach the log together share one.
   */
  flushesPerAcquisition: number | null;
}

/** Per-acquisition server costs from the `mntr` counters bracketing the measure window. */
export function perAcquisition(before: MntrSample, after: MntrSample, acquisitions: number): ServerCostPerAcquisition | undefined {
  if (acquisitions <= 0) return undefined;
  const received = after.packetsReceived - before.packetsReceived;
  const sent = after.packetsSent - before.packetsSent;
  // Counters only grow while the server runs: a negative delta means a restart or a different member.
  if (received < 0 || sent < 0) return undefined;
  return {
    requestsPerAcquisition: round(received / acquisitions, 2),
    notificationsPerHandoff: round(Math.max(0, sent - received) / acquisitions, 2),
    flushesPerAcquisition:
      after.syncBatches > 0 && after.syncBatches >= before.syncBatches
        ? round((after.syncBatches - before.syncBatches) / acquisitions, 2)
        : null,
  };
}

/**
 * Handoffs per second the server's floor allows at a hold time: a handoff needs at least the hold plus
 * one delete→NodeDeleted notification (the floor's p50), whatever the client does.
 */
export function ceilingHandoffsPerSecond(notifyP50Us: number, holdMs: number): number {
  const perHandoffUs = notifyP50Us + holdMs * 1000;
  return perHandoffUs > 0 ? round(1e6 / perHandoffUs, 0) : 0;
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
