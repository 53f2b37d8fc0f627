/**
 * The lock benchmark's SVG charts (bench/lock/svg-chart.ts, bench/lock/charts.ts): well-formed XML
 * (checked by a small strict tokenizer, no dependency), one series per implementation per panel, the
 * floor's line dashed, axis ticks and labels, escaping.
 */
import { describe, expect, it } from 'vitest';
import { handoffsChart, p99Chart } from '../../../bench/lock/charts.js';
import { annotateCells } from '../../../bench/lock/goals.js';
import { LABELS } from '../../../bench/lock/runners/registry.js';
import { escapeXml, renderChart, tickLabel } from '../../../bench/lock/svg-chart.js';
import { sampleReport } from '../../support/bench/report-fixture.js';
import { wellFormed } from '../../support/bench/well-formed-xml.js';

function report() {
  const r = sampleReport();
  annotateCells(r.cells, r.floor!.ceilingHandoffsPerS);
  return r;
}

describe('svg - the checker itself', () => {
  it('rejects broken documents', () => {
    expect(() => wellFormed('<svg><g></svg>')).toThrow();
    expect(() => wellFormed('<svg><text>a < b</text></svg>')).toThrow();
    expect(() => wellFormed('<svg><text>a & b</text></svg>')).toThrow();
    expect(() => wellFormed('<svg a="1" a="2"/>')).toThrow();
    expect(() => wellFormed('<svg/><svg/>')).toThrow();
    expect(wellFormed('<svg><text>a &amp; b</text></svg>')).toEqual(['svg', 'text']);
  });
});

describe('svg - handoffs chart', () => {
  const svg = handoffsChart(report());

  it('is one well-formed SVG document', () => {
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const names = wellFormed(svg);
    expect(names[0]).toBe('svg');
    expect(names).toContain('polyline');
  });

  it('has a panel per hold time with a line per implementation and the dashed ceiling', () => {
    expect(svg.match(/<g class="panel"/g)).toHaveLength(2);
    expect(svg).toContain('data-title="hold 0 ms"');
    expect(svg).toContain('data-title="hold 1 ms"');
    for (const impl of ['zkts-mutex', 'zkts-simple-lock', 'nzc-recipe', 'curator'] as const) {
      expect(
        svg.match(new RegExp(`<g class="series" data-label="${escapeXml(LABELS[impl]).replace(/[()+]/g, '\\$&')}"`, 'g')),
      ).toHaveLength(2);
    }
    const ceiling = svg.match(/<g class="series" data-label="floor's ceiling[^"]*">\n<polyline[^>]*>/g);
    expect(ceiling).toHaveLength(2);
    for (const c of ceiling!) expect(c).toContain('stroke-dasharray="6 4"');
  });

  it('labels both axes, the N ticks and the legend', () => {
    expect(svg).toContain('>contending sessions N</text>');
    expect(svg).toContain('>handoffs/s</text>');
    for (const n of ['1', '2', '16', '64']) expect(svg).toContain(`>${n}</text>`);
    expect(svg).toContain('<g class="legend">');
    expect(svg).toContain(`>${escapeXml(LABELS['zkts-mutex'])}</text>`);
  });

  it('draws four points per implementation per panel', () => {
    const series = svg.split('<g class="series" data-label="zkts Mutex">')[1]!.split('</g>')[0]!;
    expect(series.match(/<circle/g)).toHaveLength(4);
  });
});

describe('svg - p99 chart', () => {
  it('is well-formed, on a log axis, with the floor bound dashed', () => {
    const svg = p99Chart(report());
    wellFormed(svg);
    expect(svg).toContain('p99 acquire latency, ms (log)');
    expect(svg.match(/data-label="floor's bound[^"]*"/g)).toHaveLength(2);
    // 1-2-5 ticks on the log axis
    expect(svg).toMatch(/>1<\/text>/);
    expect(svg).toMatch(/>10<\/text>/);
  });
});

describe('svg - renderer details', () => {
  it('escapes text and formats ticks compactly', () => {
    expect(escapeXml('a<b & "c">')).toBe('a&lt;b &amp; &quot;c&quot;&gt;');
    expect(tickLabel(1500)).toBe('1.5k');
    expect(tickLabel(0.25)).toBe('0.25');
    expect(tickLabel(0)).toBe('0');
  });

  it('survives empty series, one point, and non-positive values on a log axis', () => {
    const svg = renderChart({
      title: 'x <&> y',
      xLabel: 'N',
      yLabel: 'ms',
      xScale: 'linear',
      yScale: 'log',
      panels: [
        {
          title: 'p',
          series: [
            { label: 'empty', color: '#000000', points: [] },
            { label: 'one', color: '#ff0000', points: [{ x: 1, y: 5 }] },
            {
              label: 'zero',
              color: '#00ff00',
              points: [
                { x: 2, y: 0 },
                { x: 3, y: 7 },
              ],
            },
          ],
        },
      ],
    });
    wellFormed(svg);
    expect(svg).toContain('x &lt;&amp;&gt; y');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
