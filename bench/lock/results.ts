/**
 * Result files of a run: `<out>/<timestamp>.json` (the whole BenchReport), `<timestamp>.md` (the same for
 * people), and the two charts `<timestamp>-handoffs.svg` and `<timestamp>-p99.svg`. With `latest`, the
 * same files are also written as `latest.json`, `latest.md`, `latest-handoffs.svg` and `latest-p99.svg`,
 * the ones bench/README.md shows and the repository keeps.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { handoffsChart, p99Chart } from './charts.js';
import { LABELS } from './runners/registry.js';
import type { BenchReport } from './report.js';
import { markdownTables, ms, runtimeTable } from './table.js';

export function timestampName(iso: string): string {
  return iso.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
}

const yesNo = (met: boolean | null): string => (met === null ? 'not measured' : met ? 'met' : 'NOT met');

export function renderMarkdown(r: BenchReport, chartNames: { handoffs: string; p99: string } | undefined): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`# Lock benchmark, ${r.startedAt.slice(0, 19).replace('T', ' ')} UTC`, '');
  out.push(`Command: \`${r.command}\` (${r.durationS} s).`, '');
  out.push(
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGb} GB, ${m.os}, Node ${m.node}; 1-minute load average ${m.loadBefore} before, ${m.loadAfter} after.`,
  );
  out.push(
    `Server: ${r.server.kind}, ZooKeeper ${r.server.version}, forceSync ${r.server.forceSync}${r.server.settings.length > 0 ? ` (${r.server.settings.join('; ')})` : ''}${r.server.rttMs > 0 ? `; +${r.server.rttMs} ms round trip through a proxy` : ''}.`,
  );
  const s = r.settings;
  const repeats = Object.entries(s.repeats)
    .map(([n, k]) => `N=${n}: ${k}`)
    .join(', ');
  out.push(
    `Cells: N ${s.ns.join(', ')}; hold ${s.holdsMs.join(', ')} ms; repeats ${repeats}; warm-up ${s.warmup}; measure ${s.measureMs} ms per cell; workers ${s.workers}; session timeout ${s.sessionTimeoutMs} ms; ReadWriteLock ${Math.round(s.readRatio * 100)}% reads; ${s.order}.`,
    '',
  );
  out.push('Implementations:', '');
  for (const i of r.implementations) out.push(`- \`${i.impl}\`: ${LABELS[i.impl]}, ${i.version}`);
  for (const k of r.skipped) out.push(`- \`${k.impl}\`: skipped, ${k.reason}`);
  out.push('');

  out.push('## Goals', '', '| goal | result | figures |', '|---|---|---|');
  for (const g of r.goals) out.push(`| ${g.goal} | ${yesNo(g.met)} | ${g.detail} |`);
  out.push('');

  out.push('## Floor', '');
  if (r.floor !== null) {
    out.push(`Two sessions, ${r.floor.iterations} iterations each, interleaved, with each client:`, '');
    out.push('| client | measurement | p50 ms | p90 ms | p99 ms | max ms |', '|---|---|---:|---:|---:|---:|');
    for (const f of [r.floor, r.javaFloor]) {
      if (f === null) continue;
      out.push(
        `| ${f.client} | create + delete (one session) | ${ms(f.createDeleteUs.p50)} | ${ms(f.createDeleteUs.p90)} | ${ms(f.createDeleteUs.p99)} | ${ms(f.createDeleteUs.max)} |`,
      );
      out.push(
        `| ${f.client} | delete → NodeDeleted at the other session | ${ms(f.notifyUs.p50)} | ${ms(f.notifyUs.p90)} | ${ms(f.notifyUs.p99)} | ${ms(f.notifyUs.max)} |`,
      );
    }
    out.push('');
    for (const f of [r.floor, r.javaFloor]) {
      if (f === null) continue;
      out.push(
        `Ceiling from the ${f.client} floor (1 s / (notification p50 + hold)): ${Object.entries(f.ceilingHandoffsPerS)
          .map(([h, c]) => `${c} handoffs/s at hold ${h} ms`)
          .join(', ')}.${f === r.floor ? ' The tables use this one.' : ''}`,
        '',
      );
    }
  } else out.push(`Not measured: ${r.floorError ?? 'unknown error'}.`, '');

  out.push(`## Results`, '');
  out.push(
    "Each figure is the median over the repeats (`runs`), with the min-max range in brackets when they differ. `vs best peer`: handoffs/s over the peer (Curator, kazoo, node-zookeeper-client) with the best median in the same row group, taken per repeat. `of ceiling`: handoffs/s over the floor's ceiling. Latencies: acquire call to holding. `req/acq`: requests the server received per acquisition; `notif/handoff`: watch notifications it sent per acquisition; `flush/acq`: transaction-log flushes (fsync) per acquisition; `warm-up s`: the warm-up the steady-state rule needed (see bench/README.md).",
    '',
  );
  if (r.settings.runtimes !== undefined) {
    out.push(
      '### By runtime',
      '',
      "Medians over the repeats; `vs Node`: over zkts's Mutex on Node; `vs Node-compat`: a native transport over its runtime's node:net path; ratios of medians.",
      '',
      runtimeTable(r),
      '',
    );
  }
  out.push(markdownTables(r));
  const failed = r.cells.filter((c) => c.status !== 'ok');
  if (failed.length > 0) {
    out.push('Failed cells:', '');
    for (const c of failed) out.push(`- ${c.impl} N=${c.n} hold ${c.holdMs} ms (repeat ${c.repeat + 1}): ${c.error ?? '?'}`);
    out.push('');
  }
  out.push(`Mutual-exclusion violations: ${r.violations}${r.violations > 0 ? ' (THE RUN FAILED)' : ''}.`, '');
  for (const c of r.cells.filter((x) => x.violations > 0)) {
    out.push(
      `- ${c.impl} N=${c.n} hold ${c.holdMs} ms (repeat ${c.repeat + 1}): ${c.violations} (store: ${c.storeOverlaps} overlaps, ${c.staleWrites} stale writes; recorded holds: ${c.timestampViolations}); ${c.violationExamples.join('; ')}`,
    );
  }
  if (chartNames !== undefined) {
    out.push(
      '## Charts',
      '',
      `![handoffs/s against N](${chartNames.handoffs})`,
      '',
      `![p99 acquire latency against N](${chartNames.p99})`,
      '',
    );
  }
  return `${out.join('\n')}\n`;
}

export interface Written {
  json: string;
  md?: string;
  svgs?: string[];
}

export function writeResults(
  r: BenchReport,
  outDir: string,
  opts: { jsonOnly: boolean; latest: boolean; saveAs?: string | undefined },
): Written {
  mkdirSync(outDir, { recursive: true });
  const names = [timestampName(r.startedAt), ...(opts.latest ? ['latest'] : []), ...(opts.saveAs !== undefined ? [opts.saveAs] : [])];
  const json = `${JSON.stringify(r, null, 2)}\n`;
  const written: Written = { json: join(outDir, `${names[0]!}.json`) };
  for (const name of names) {
    writeFileSync(join(outDir, `${name}.json`), json);
    if (opts.jsonOnly) continue;
    const charts = { handoffs: `${name}-handoffs.svg`, p99: `${name}-p99.svg` };
    writeFileSync(join(outDir, charts.handoffs), handoffsChart(r));
    writeFileSync(join(outDir, charts.p99), p99Chart(r));
    writeFileSync(join(outDir, `${name}.md`), renderMarkdown(r, charts));
    if (name === names[0]) {
      written.md = join(outDir, `${name}.md`);
      written.svgs = [join(outDir, charts.handoffs), join(outDir, charts.p99)];
    }
  }
  return written;
}
