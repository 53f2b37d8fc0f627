/**
 * The mutual-exclusion check, across every process of a cell. Each hold carries its fencing token (the
 * lock node's czxid, or its sequence number where a library does not return the czxid; both strictly
 * increase from one holder to the next of one lock path) and its start and end on the shared wall clock.
 *
 * Sorted by token, a writer (exclusive hold) must come strictly after everything before it in token order
 * and strictly before everything after it: every hold with a smaller token has ended when it starts, and
 * every hold with a larger token starts after it ends. That one rule catches both an overlap of a writer
 * with any other hold and tokens that do not increase in time order. Readers may overlap readers and, as
 * shared holders behind the same writer, may start in any order among themselves. The count is of
 * conflicting holds (each counted once, at the newer token), so two overlapping writers count 1.
 *
 * Recorded holds are conservative: a hold starts when acquire() has returned and ends before release() is
 * called, so a real lock leaves a gap of at least one network hop between holders; touching intervals
 * (equal microseconds) pass.
 */
import type { Hold } from './protocol.js';

export interface ViolationReport {
  /** Holds that break mutual exclusion or token order (0 for a correct lock). */
  count: number;
  /** Up to `maxExamples` human-readable descriptions. */
  examples: string[];
}

interface Parsed {
  token: bigint;
  kind: 'w' | 'r';
  start: number;
  end: number;
}

function describe(h: Parsed): string {
  return `${h.kind === 'w' ? 'write' : 'read'} hold token ${h.token} [${h.start}, ${h.end}] µs`;
}

export function checkHolds(holds: readonly Hold[], maxExamples = 5): ViolationReport {
  const examples: string[] = [];
  let count = 0;
  const flag = (message: string): void => {
    count++;
    if (examples.length < maxExamples) examples.push(message);
  };

  const parsed: Parsed[] = [];
  for (const [token, kind, start, end] of holds) {
    let t: bigint;
    try {
      t = BigInt(token);
    } catch {
      flag(`unparsable token ${JSON.stringify(token)}`);
      continue;
    }
    if (!(end >= start)) flag(`hold token ${token} ends before it starts (${start} > ${end})`);
    parsed.push({ token: t, kind, start, end });
  }
  parsed.sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : a.start - b.start));

  // A token is one lock node: two holds with the same token are one node held twice.
  for (let i = 1; i < parsed.length; i++) {
    if (parsed[i]!.token === parsed[i - 1]!.token)
      flag(`token ${parsed[i]!.token} held twice: ${describe(parsed[i - 1]!)} and ${describe(parsed[i]!)}`);
  }

  // A pair (older i, newer j) conflicts when one of them is a writer and i ends after j starts. Each
  // newer hold is checked once against the older hold that ends last: among all older holds when it
  // is a writer, among older writers when it is a reader. So every conflicting pair is found, and a
  // conflict counts once, at its newer hold.
  let lastEnd: Parsed | undefined;
  let lastWriterEnd: Parsed | undefined;
  for (const h of parsed) {
    const older = h.kind === 'w' ? lastEnd : lastWriterEnd;
    if (older !== undefined && older.end > h.start) {
      flag(
        older.start > h.start
          ? `${describe(h)} was held before ${describe(older)}, an older token (tokens out of time order)`
          : `${describe(h)} starts before ${describe(older)} (an older token) ends`,
      );
    }
    if (lastEnd === undefined || h.end > lastEnd.end) lastEnd = h;
    if (h.kind === 'w' && (lastWriterEnd === undefined || h.end > lastWriterEnd.end)) lastWriterEnd = h;
  }
  return { count, examples };
}
