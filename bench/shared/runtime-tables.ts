/**
 * The results-page kinds of the --runtime runs (bench/shared/runtimes.ts), for bench/shared/results-page.ts:
 *
 *   pipeline-runtimes  bench/pipeline/main.ts --runtime: each variant against Node, the goals per runtime
 *   lock-runtimes      bench/lock/main.ts --runtime: per N, each variant against Node and its Node-compat
 *                      path (its goals come from the usual `goals` kind)
 *   runtime-verdicts   either file: met or missed per runtime and goal, with no figure, for bench/README.md
 *                      (the method page quotes no figure; `npm run bench:readme` rewrites its blocks too)
 */
import { RUNTIME_GOALS as LOCK_RUNTIME_GOALS } from '../lock/goals.js';
import type { BenchReport } from '../lock/report.js';
import { runtimeTable } from '../lock/table.js';
import { RUNTIME_GOALS as PIPELINE_RUNTIME_GOALS, type Report as PipelineReport, renderRuntimeReport } from '../pipeline/main.js';

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
const load = (before: number, after: number): string => `1-minute load average ${before.toFixed(2)} before, ${after.toFixed(2)} after`;

function pipelineCaption(r: PipelineReport): string {
  const m = r.machine;
  return `\`${r.command}\`; ${m.nproc} CPUs (${m.cpu}), ${Object.values(r.runtimes?.versions ?? {}).join(', ')}; server: ${r.server}; ${load(m.load1[0], m.load1[1])}.`;
}

function lockCaption(r: BenchReport): string {
  const m = r.machine;
  const s = r.settings;
  return `Run ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC: \`${r.command}\`; ${m.cpus} CPUs (${m.cpuModel}); ${Object.values(s.runtimes ?? {}).join(', ')}; server: ${r.server.kind}, ZooKeeper ${r.server.version}, forceSync ${r.server.forceSync}; hold ${Math.min(...s.holdsMs)} ms, ${Object.entries(
    s.repeats,
  )
    .map(([n, k]) => `N=${n}: ${k} repeats`)
    .join(', ')}, ${s.measureMs} ms measured per cell; ${load(m.loadBefore, m.loadAfter)}.`;
}

const verdict = (missed: string[], measured: boolean): string =>
  !measured ? 'not measured' : missed.length === 0 ? 'met' : `missed (${missed.join(', ')})`;

/** Met or missed per runtime and goal, without figures (bench/README.md quotes none): a --runtime file of either benchmark. */
function runtimeVerdicts(json: unknown): string {
  const lines = [
    "| runtime | native transport at least as fast as its Node-compat path | client CPU within 1.2 times Node's |",
    '|---|---|---|',
  ];
  const pipeline = json as PipelineReport;
  if (pipeline.runtimes !== undefined) {
    for (const v of pipeline.runtimes.variants.filter((x) => x === 'bun' || x === 'deno')) {
      const speed: string[] = [];
      const cpu: string[] = [];
      let measured = true;
      for (const phase of ['getData', 'createDelete'] as const) {
        const q = pipeline.runtimes.ratios[phase]?.[v];
        if (q?.opsVsCompat == null) measured = false;
        else if (q.opsVsCompat < PIPELINE_RUNTIME_GOALS.opsVsCompat) speed.push(phase);
        if (q === undefined) measured = false;
        else if (q.cpuVsNode > PIPELINE_RUNTIME_GOALS.cpuVsNode) cpu.push(phase);
      }
      lines.push(row([`${pipeline.runtimes.versions[v] ?? v} (pipeline)`, verdict(speed, measured), verdict(cpu, measured)]));
    }
    return lines.join('\n');
  }
  const report = json as BenchReport;
  // The lock run's goals come in pairs per runtime (speed, CPU), named `zkts Mutex on <runtime>: ...`.
  // The ratio from the two figures the detail gives ("N=16: 1.00x (799 vs 801 handoffs/s)"), not the
  // rounded one: 0.998 prints as 1.00x and still misses a goal of 1.
  const missedNs = (detail: string, ok: (r: number) => boolean): string[] =>
    [...detail.matchAll(/N=(\d+): (\d+(?:\.\d+)?)x(?: \((\d+(?:\.\d+)?) vs (\d+(?:\.\d+)?))?/g)]
      .filter((m) => !ok(m[3] !== undefined && m[4] !== undefined ? Number(m[3]) / Number(m[4]) : Number(m[2])))
      .map((m) => `N = ${m[1]}`);
  const runtimeGoals = report.goals.filter((g) => g.goal.startsWith('zkts Mutex on '));
  for (let i = 0; i + 1 < runtimeGoals.length; i += 2) {
    const [speed, cpu] = [runtimeGoals[i]!, runtimeGoals[i + 1]!];
    const name = speed.goal.slice('zkts Mutex on '.length, speed.goal.indexOf(':'));
    lines.push(
      row([
        `${name} (lock hand-offs)`,
        verdict(speed.met === false ? missedNs(speed.detail, (r) => r >= LOCK_RUNTIME_GOALS.vsCompat) : [], speed.met !== null),
        verdict(cpu.met === false ? missedNs(cpu.detail, (r) => r <= LOCK_RUNTIME_GOALS.cpuVsNode) : [], cpu.met !== null),
      ]),
    );
  }
  return lines.join('\n');
}

/** The table of a --runtime kind, or undefined for any other kind. */
export function runtimeKindTable(json: unknown, kind: string): string | undefined {
  if (kind === 'pipeline-runtimes') return `${pipelineCaption(json as PipelineReport)}\n\n${renderRuntimeReport(json as PipelineReport)}`;
  if (kind === 'lock-runtimes') return `${lockCaption(json as BenchReport)}\n\n${runtimeTable(json as BenchReport)}`;
  if (kind === 'runtime-verdicts') return runtimeVerdicts(json);
  return undefined;
}
