/**
 * Runs a fault schedule (schedule.ts) against the ensemble and the workers' links while the runners
 * measure, and records when each fault began and ended on the orchestrator's clock. Whatever happens,
 * it leaves every member running and every link whole, so the next implementation starts from a healthy
 * ensemble; a fault that no longer fits in the window is skipped rather than cut short.
 */
import { type ZkEnsemble, type ZkServer, waitFor } from '../../../test/support/zookeeper/index.js';
import type { FaultWindow } from './report.js';
import { FAULT_LABELS, type FaultStep, type Schedule } from './schedule.js';
import type { WorkerLinks } from './worker-links.js';

export interface InjectorContext {
  ensemble: ZkEnsemble;
  links: WorkerLinks;
  /** performance.now() at GO: fault times are taken from it. */
  goAt: number;
  /** Called when a fault has ended, for the progress output. */
  onFault?(fault: FaultWindow): void;
}

export interface ScheduleRun {
  faults: FaultWindow[];
  skipped: string[];
}

/** Bound on the ensemble serving again after a fault (a restarted member syncing included). */
const QUORUM_WAIT_MS = 30_000;
/** The worker the cut-off hits; worker 0 goes on. */
const CUT_WORKER = 1;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runSchedule(schedule: Schedule, ctx: InjectorContext): Promise<ScheduleRun> {
  const now = (): number => performance.now() - ctx.goAt;
  const faults: FaultWindow[] = [];
  const skipped: string[] = [];
  try {
    await sleep(schedule.calmMs - now());
    for (const [i, step] of schedule.steps.entries()) {
      if (now() + step.expectedMs + schedule.calmMs > schedule.windowMs) {
        skipped.push(...schedule.steps.slice(i).map((s) => `${FAULT_LABELS[s.kind]}: no room left in the ${schedule.windowMs} ms window`));
        break;
      }
      const fault = await inject(step, ctx, now);
      faults.push(fault);
      ctx.onFault?.(fault);
      await ctx.ensemble.waitForQuorum(QUORUM_WAIT_MS);
      await sleep(fault.endMs + schedule.calmMs - now());
    }
  } catch (err) {
    const done = new Set(faults.map((f) => f.kind));
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    skipped.push(
      ...schedule.steps.filter((s) => !done.has(s.kind)).map((s) => `${FAULT_LABELS[s.kind]}: the schedule broke off (${message})`),
    );
    if (skipped.length === 0) skipped.push(`the schedule broke off after its last fault: ${message}`);
  } finally {
    await restore(ctx);
  }
  return { faults, skipped };
}

async function inject(step: FaultStep, ctx: InjectorContext, now: () => number): Promise<FaultWindow> {
  const { ensemble } = ctx;
  const label = FAULT_LABELS[step.kind];
  switch (step.kind) {
    case 'leader-kill': {
      const { leader } = await ensemble.waitForQuorum(QUORUM_WAIT_MS);
      const startMs = now();
      await leader.kill();
      const elected = await newLeader(
        ensemble.members.filter((m) => m !== leader),
        step.holdMs,
      );
      const electedMs = now();
      await leader.restart();
      const endMs = now();
      const election = elected ? `member ${elected.id} led after ${ms(electedMs - startMs)}` : `no new leader within ${ms(step.holdMs)}`;
      return {
        kind: step.kind,
        label,
        target: `member ${leader.id}`,
        startMs,
        endMs,
        ...(elected ? { electedMs } : {}),
        detail: `${election}; restarted, serving after ${ms(endMs - startMs)}`,
      };
    }
    case 'follower-pause': {
      const { follower, connections } = await busiestFollower(ensemble);
      const startMs = now();
      await follower.pause();
      await sleep(step.holdMs);
      await follower.resume();
      return {
        kind: step.kind,
        label,
        target: `member ${follower.id}`,
        startMs,
        endMs: now(),
        detail: `${connections}; SIGSTOP, SIGCONT after ${ms(step.holdMs)}`,
      };
    }
    case 'follower-isolate': {
      const { follower, connections } = await busiestFollower(ensemble);
      const startMs = now();
      ensemble.isolate(follower.id);
      await sleep(step.holdMs);
      ensemble.heal(follower.id);
      return {
        kind: step.kind,
        label,
        target: `member ${follower.id}`,
        startMs,
        endMs: now(),
        detail: `${connections}; quorum and election links cut both ways for ${ms(step.holdMs)}`,
      };
    }
    case 'worker-cutoff': {
      const startMs = now();
      ctx.links.cutOff(CUT_WORKER, true);
      await sleep(step.holdMs);
      ctx.links.cutOff(CUT_WORKER, false);
      return {
        kind: step.kind,
        label,
        target: `worker ${CUT_WORKER}`,
        startMs,
        endMs: now(),
        detail: `every link of the process black-holed for ${ms(step.holdMs)} (session timeout + 2 s)`,
      };
    }
  }
}

/** The member the other (live) members elected, or undefined when none leads within `timeoutMs`. */
async function newLeader(others: readonly ZkServer[], timeoutMs: number): Promise<ZkServer | undefined> {
  return waitFor(
    async () => {
      const modes = await Promise.all(others.map((m) => m.mode(500)));
      const i = modes.indexOf('leader');
      return i >= 0 && modes.every((m) => m === 'leader' || m === 'follower') ? others[i] : undefined;
    },
    { timeoutMs, intervalMs: 50, what: 'a new leader' },
  ).catch(() => undefined);
}

/**
 * The follower with the most client connections. Clients move only when their server fails them, so
 * after a leader kill and a pause one follower may serve nobody; faulting that one would test nothing.
 */
async function busiestFollower(ensemble: ZkEnsemble): Promise<{ follower: ZkServer; connections: string }> {
  const { followers } = await ensemble.waitForQuorum(QUORUM_WAIT_MS);
  // zk_num_alive_connections counts the mntr probe's own connection too.
  const counts = await Promise.all(
    followers.map(async (f) => {
      const mntr = await f.mntr(2000).catch((): Record<string, string | number> => ({}));
      return Number(mntr['zk_num_alive_connections'] ?? 1) - 1;
    }),
  );
  let best = 0;
  for (let i = 1; i < followers.length; i++) if (counts[i]! > counts[best]!) best = i;
  const follower = followers[best];
  if (follower === undefined) throw new Error('no follower to fault');
  return { follower, connections: `serving ${counts[best]} client connection(s) (the busier follower)` };
}

/** Every link whole, every member running (best effort: this runs on the way out of a broken schedule too). */
async function restore(ctx: InjectorContext): Promise<void> {
  ctx.links.restoreAll();
  ctx.ensemble.heal();
  for (const m of ctx.ensemble.members) {
    if (m.state === 'paused') await m.resume().catch(() => undefined);
    else if (m.state === 'stopped') await m.restart().catch(() => undefined);
  }
}

const ms = (v: number): string => `${(v / 1000).toFixed(2)} s`;
