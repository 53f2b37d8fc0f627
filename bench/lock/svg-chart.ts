/**
 * A small line-chart renderer that builds SVG as a string: panels side by side sharing one y axis,
 * linear or log axes with ticks and grid lines, one polyline with markers per series, dashed reference
 * lines, shaded x ranges with a label (bands: e.g. the faults of a fault run), and a legend. No browser
 * and no dependency; the output opens in any browser.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  color: string;
  points: Point[];
  /** SVG stroke-dasharray, e.g. "6 4" for a reference line. */
  dash?: string;
  /** Draw point markers (default true; reference lines usually false). */
  markers?: boolean;
}

export interface Panel {
  title: string;
  series: Series[];
}

export type Scale = 'linear' | 'log';

/** A shaded range of x in every panel, labelled at its top left. */
export interface Band {
  from: number;
  to: number;
  label: string;
}

export interface ChartSpec {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  xScale: Scale;
  yScale: Scale;
  /** Tick positions on x (e.g. the N values); default: chosen from the data. */
  xTicks?: number[];
  panels: Panel[];
  /** Drawn under the series, in order; labels alternate between two rows so neighbours do not collide. */
  bands?: Band[];
  panelWidth?: number;
  panelHeight?: number;
}

const M = { left: 64, right: 18, top: 30, bottom: 46 };

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A compact tick label: 1500 → "1.5k", 0.25 → "0.25". */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/** 1-2-5 steps: the values 1, 2, 5, 10, 20, ... (and below 1) around [lo, hi]. */
function logTicks(lo: number, hi: number): { domain: [number, number]; ticks: number[] } {
  const steps: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
    for (const m of [1, 2, 5]) steps.push(m * 10 ** e);
  }
  const clean = steps.map((v) => Number(v.toPrecision(2)));
  const below = clean.filter((v) => v <= lo * 1.000001);
  const above = clean.filter((v) => v >= hi / 1.000001);
  const d0 = below.length > 0 ? below[below.length - 1]! : clean[0]!;
  const d1 = above.length > 0 ? above[0]! : clean[clean.length - 1]!;
  let ticks = clean.filter((v) => v >= d0 && v <= d1);
  // Too many for the height: powers of ten only (labels at 1-2-5 steps would overlap).
  if (ticks.length > 10) ticks = ticks.filter((v) => Number.isInteger(Math.log10(v)));
  return { domain: [d0, d1], ticks };
}

/** Zero-based linear axis up to a round number, about five ticks. */
function linearTicks(hi: number): { domain: [number, number]; ticks: number[] } {
  const top = hi > 0 ? hi * 1.05 : 1;
  const raw = top / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const d1 = Math.ceil(top / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= d1 + step / 2; v += step) ticks.push(Number(v.toPrecision(6)));
  return { domain: [0, d1], ticks };
}

function axis(scale: Scale, values: number[], given?: number[]): { map: (v: number, size: number) => number; ticks: number[] } {
  const usable = scale === 'log' ? values.filter((v) => v > 0) : values;
  const lo = usable.length > 0 ? Math.min(...usable) : 1;
  const hi = usable.length > 0 ? Math.max(...usable) : 10;
  let domain: [number, number];
  let ticks: number[];
  if (given !== undefined && given.length > 0) {
    ticks = [...given].sort((a, b) => a - b);
    domain = [Math.min(ticks[0]!, lo), Math.max(ticks[ticks.length - 1]!, hi)];
  } else if (scale === 'log') ({ domain, ticks } = logTicks(lo, hi === lo ? lo * 10 : hi));
  else ({ domain, ticks } = linearTicks(hi));
  const [d0, d1] = domain;
  const map =
    scale === 'log'
      ? (v: number, size: number): number => (d1 === d0 ? 0 : ((Math.log(v) - Math.log(d0)) / (Math.log(d1) - Math.log(d0))) * size)
      : (v: number, size: number): number => (d1 === d0 ? 0 : ((v - d0) / (d1 - d0)) * size);
  return { map, ticks };
}

const n2 = (v: number): string => (Math.round(v * 10) / 10).toString();

export function renderChart(spec: ChartSpec): string {
  const pw = spec.panelWidth ?? 440;
  const ph = spec.panelHeight ?? 300;
  const all = spec.panels.flatMap((p) => p.series.flatMap((s) => s.points));
  const x = axis(
    spec.xScale,
    all.map((p) => p.x),
    spec.xTicks,
  );
  const y = axis(
    spec.yScale,
    all.map((p) => p.y),
  );
  const legendItems = [...new Map(spec.panels.flatMap((p) => p.series).map((s) => [s.label, s])).values()];
  const perRow = Math.max(1, Math.floor((pw * spec.panels.length) / 260));
  const legendRows = Math.ceil(legendItems.length / perRow);
  const headerH = spec.subtitle ? 52 : 36;
  const width = pw * spec.panels.length;
  const height = headerH + ph + 18 + legendRows * 20 + 10;
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`);
  if (spec.subtitle) out.push(`<text x="${width / 2}" y="40" text-anchor="middle" fill="#555555">${escapeXml(spec.subtitle)}</text>`);

  spec.panels.forEach((panel, pi) => {
    const ox = pi * pw + M.left;
    const oy = headerH + M.top;
    const w = pw - M.left - M.right;
    const h = ph - M.top - M.bottom;
    const px = (v: number): number => ox + x.map(v, w);
    const py = (v: number): number => oy + h - y.map(v, h);
    out.push(`<g class="panel" data-title="${escapeXml(panel.title)}">`);
    out.push(`<text x="${ox + w / 2}" y="${oy - 10}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`);
    for (const t of y.ticks) {
      out.push(`<line x1="${ox}" y1="${n2(py(t))}" x2="${ox + w}" y2="${n2(py(t))}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${ox - 6}" y="${n2(py(t) + 4)}" text-anchor="end" fill="#333333">${escapeXml(tickLabel(t))}</text>`);
    }
    for (const t of x.ticks) {
      out.push(`<line x1="${n2(px(t))}" y1="${oy}" x2="${n2(px(t))}" y2="${oy + h}" stroke="#f0f0f0"/>`);
      out.push(`<text x="${n2(px(t))}" y="${oy + h + 16}" text-anchor="middle" fill="#333333">${escapeXml(tickLabel(t))}</text>`);
    }
    for (const [i, b] of (spec.bands ?? []).entries()) {
      const x0 = Math.max(ox, px(b.from));
      const x1 = Math.min(ox + w, px(b.to));
      if (!(x1 >= x0)) continue;
      out.push(`<g class="band" data-label="${escapeXml(b.label)}">`);
      out.push(`<rect x="${n2(x0)}" y="${oy}" width="${n2(Math.max(1, x1 - x0))}" height="${h}" fill="#f2b134" fill-opacity="0.2"/>`);
      out.push(`<text x="${n2(x0 + 3)}" y="${oy + 12 + (i % 2) * 13}" font-size="11" fill="#555555">${escapeXml(b.label)}</text>`);
      out.push('</g>');
    }
    out.push(`<rect x="${ox}" y="${oy}" width="${w}" height="${h}" fill="none" stroke="#888888"/>`);
    out.push(`<text x="${ox + w / 2}" y="${oy + h + 36}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
    out.push(
      `<text x="${ox - 48}" y="${oy + h / 2}" text-anchor="middle" transform="rotate(-90 ${ox - 48} ${oy + h / 2})">${escapeXml(spec.yLabel)}</text>`,
    );
    for (const s of panel.series) {
      const pts = s.points.filter((p) => spec.yScale !== 'log' || p.y > 0).sort((a, b) => a.x - b.x);
      if (pts.length === 0) continue;
      const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
      out.push(`<g class="series" data-label="${escapeXml(s.label)}">`);
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts.map((p) => `${n2(px(p.x))},${n2(py(p.y))}`).join(' ')}"/>`,
      );
      if (s.markers ?? true) {
        for (const p of pts) out.push(`<circle cx="${n2(px(p.x))}" cy="${n2(py(p.y))}" r="3" fill="${s.color}"/>`);
      }
      out.push('</g>');
    }
    out.push('</g>');
  });

  const ly = headerH + ph + 18;
  const colW = width / perRow;
  out.push('<g class="legend">');
  legendItems.forEach((s, i) => {
    const lx = (i % perRow) * colW + 16;
    const yy = ly + Math.floor(i / perRow) * 20;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    out.push(`<line x1="${lx}" y1="${yy - 4}" x2="${lx + 26}" y2="${yy - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 32}" y="${yy}">${escapeXml(s.label)}</text>`);
  });
  out.push('</g>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
