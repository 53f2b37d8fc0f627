/**
 * A fault run's files: `<out>/faults-<timestamp>.json` (the whole FaultsReport), `.md` (the same for
 * people) and `-handoffs.svg` (hand-offs per second over time with the faults shaded).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABELS } from '../runners/registry.js';
import { type Written, timestampName } from '../results.js';
import { faultsChart } from './chart.js';
import type { FaultsReport } from './report.js';
import { faultTable, markdownTable, summaryTable } from './tables.js';

const yesNo = (met: boolean | null): string => (met === null ? 'not measured' : met ? 'met' : 'NOT met');

export function renderFaultsMarkdown(r: FaultsReport, chartName: string | undefined): string {
  const s = r.settings;
  const m = r.machine;
  const out: string[] = [];
  out.push(`# Lock benchmark under faults, ${r.startedAt.slice(0, 19).replace('T', ' ')} UTC`, '');
  out.push(`Command: \`${r.command}\` (${r.durationS} s).`, '');
  out.push(
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGb} GB, ${m.os}, Node ${m.node}; 1-minute load average ${m.loadBefore} before, ${m.loadAfter} after.`,
  );
  out.push(
    `Server: ${r.server.kind}, ZooKeeper ${r.server.version}, forceSync ${r.server.forceSync}${r.server.settings.length > 0 ? ` (${r.server.settings.join('; ')})` : ''}; members linked through proxies (so one can be isolated).`,
  );
  out.push(
    `Cell: ${s.contenders} contenders over ${s.workers} runner processes, each process through its own proxy to every member; hold ${s.holdMs} ms; session timeout ${s.sessionTimeoutMs} ms; warm-up ${s.warmupMs} ms; one ${s.windowMs} ms window per implementation.`,
  );
  out.push(
    `Schedule (${s.schedule}): ${s.calmMs} ms quiet, then ${s.plan.join(`, ${s.calmMs} ms, `)}, ${s.calmMs} ms; after each fault the run waits until every member serves again.`,
    '',
  );
  out.push('Implementations:', '');
  for (const i of r.implementations) out.push(`- \`${i.impl}\`: ${LABELS[i.impl]}, ${i.version}`);
  for (const k of r.skipped) out.push(`- \`${k.impl}\`: skipped, ${k.reason}`);
  out.push('');

  out.push('## Goals', '', '| goal | result | figures |', '|---|---|---|');
  for (const g of r.goals) out.push(`| ${g.goal} | ${yesNo(g.met)} | ${g.detail} |`);
  out.push('');

  out.push('## Per implementation', '');
  out.push(
    [
      'Over the whole window. `longest gap`: the longest stretch without a hand-off (critical section entered), and when it began.',
      "`gap after leader kill`: from the kill to the first critical section granted after it, the first hand-off at least 100 ms after the kill (one sooner was granted by the old leader: the fault table's first hand-off can be such a one); `of it election`: until the other two members were seen to have a new leader (polled every 50 ms), the ensemble's part; `half rate after kill`: until the rate was back to half the rate before the kill over 500 ms, since a lock can hand off once and stall again.",
      "`failed acq`: acquisitions (and releases) that failed and were retried; `sessions replaced`: sessions that ended and were replaced (by the runner, or by Curator and kazoo themselves); both from the runners' results (`?`: the cell broke off before them).",
      '`orphans`: children of the lock path at DONE, when no contender holds or waits; `violations`: overlaps and stale tokens the fenced store saw, plus the check of the recorded holds.',
    ].join(' '),
    '',
  );
  out.push(markdownTable(summaryTable(r.results)), '');
  out.push('## Per fault', '');
  out.push(
    `Rates in handoffs/s: \`before\` over the ${s.calmMs} ms before the fault, \`during\` from its start to its end, \`after\` over the ${s.calmMs} ms after its end. \`first hand-off\`: from its start to the first hand-off at or after it; \`half rate\`: until the rate was back to half the rate before it over 500 ms; \`longest gap\`: from its start to ${s.calmMs} ms after its end. Times in seconds since GO.`,
    '',
  );
  out.push(markdownTable(faultTable(r.results)), '');
  for (const x of r.results) {
    for (const f of x.faults) out.push(`- ${x.impl}, ${f.label} (${f.target}): ${f.detail}.`);
  }
  out.push('');
  const notes: string[] = [];
  for (const x of r.results) {
    if (x.status === 'failed') notes.push(`- ${x.impl}: FAILED: ${x.error ?? '?'}`);
    for (const why of x.skippedFaults) notes.push(`- ${x.impl}: skipped ${why}`);
    if ((x.orphans ?? 0) > 0) notes.push(`- ${x.impl}: orphan nodes at DONE: ${x.orphanNames.map((n) => `\`${n}\``).join(', ')}`);
    if (x.violations > 0) notes.push(`- ${x.impl}: ${x.violations} violations: ${x.violationExamples.join('; ')}`);
  }
  if (notes.length > 0) out.push('## Notes', '', ...notes, '');
  out.push(`Mutual-exclusion violations: ${r.violations}${r.violations > 0 ? ' (THE RUN FAILED)' : ''}.`, '');
  if (chartName !== undefined) out.push('## Chart', '', `![handoffs/s over time, faults shaded](${chartName})`, '');
  return `${out.join('\n')}\n`;
}

export function writeFaultsResults(r: FaultsReport, outDir: string, opts: { jsonOnly: boolean }): Written {
  mkdirSync(outDir, { recursive: true });
  const name = `faults-${timestampName(r.startedAt)}`;
  const json = join(outDir, `${name}.json`);
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  if (opts.jsonOnly) return { json };
  const svg = join(outDir, `${name}-handoffs.svg`);
  const md = join(outDir, `${name}.md`);
  writeFileSync(svg, faultsChart(r));
  writeFileSync(md, renderFaultsMarkdown(r, `${name}-handoffs.svg`));
  return { json, md, svgs: [svg] };
}
