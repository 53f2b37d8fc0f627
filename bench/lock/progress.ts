/**
 * What the run shows while it runs. On a terminal: one line rewritten in place (scenario, elapsed time,
 * running handoffs/s), and one permanent line per finished cell. Piped (CI logs): only the line per cell.
 */
import type { Writable } from 'node:stream';

export class Progress {
  private readonly out: Writable | undefined;
  private readonly tty: boolean;
  private readonly runStart = performance.now();
  private cellStart = performance.now();
  private scenario = '';
  private live = false;

  /** `out` undefined: silent (--json-only). */
  constructor(out: Writable | undefined, tty: boolean) {
    this.out = out;
    this.tty = tty;
  }

  private elapsed(): string {
    const s = Math.round((performance.now() - this.runStart) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }

  /** A permanent line (clears the live one first). */
  line(text: string): void {
    if (this.out === undefined) return;
    this.clear();
    this.out.write(`${text}\n`);
  }

  begin(scenario: string): void {
    this.scenario = scenario;
    this.cellStart = performance.now();
    this.draw('starting');
  }

  update(acquisitions: number, measuringForMs: number): void {
    const rate = measuringForMs > 0 ? Math.round((acquisitions * 1000) / measuringForMs) : 0;
    this.draw(`${rate} handoffs/s`);
  }

  /** Ends the scenario with its one-line summary. */
  end(summary: string): void {
    this.line(`[${this.elapsed()}] ${this.scenario}: ${summary}`);
  }

  private draw(status: string): void {
    if (this.out === undefined || !this.tty) return;
    const cell = ((performance.now() - this.cellStart) / 1000).toFixed(1);
    const text = `[${this.elapsed()}] ${this.scenario} | ${cell} s | ${status}`;
    // A terminal of unknown size reports 0 columns.
    const width = (this.out as Writable & { columns?: number }).columns || 120;
    this.out.write(`\r\x1b[K${text.slice(0, width - 1)}`);
    this.live = true;
  }

  private clear(): void {
    if (this.live && this.out !== undefined) this.out.write('\r\x1b[K');
    this.live = false;
  }
}
