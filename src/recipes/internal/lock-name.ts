/**
 * Contender node names, as Apache Curator writes them, so zkts and Curator processes contend correctly
 * on one path: `_c_<uuid>-<lockName><seq>` (protection prefix + lock name + the server's sequence suffix).
 *
 * Sequence suffixes are the parent's cversion, a signed 32-bit counter, printed `%010d` (ZooKeeper's
 * PrepRequestProcessor.pRequest2TxnCreate): they wrap from 2147483647 to -2147483648 and then print
 * with a minus sign. Ordering uses serial-number arithmetic on int32, so it stays right across the wrap
 * as long as all live contenders were created within 2^31 creations of each other under that parent (a
 * live queue is never that long).
 */

export const PROTECTED_PREFIX = '_c_';

/** A fresh protection prefix `_c_<uuid>-`, unique per create attempt. */
export function protectedPrefix(): string {
  return `${PROTECTED_PREFIX}${crypto.randomUUID()}-`;
}

export interface Contender {
  /** Child name, e.g. `_c_…-lock-0000000042`. */
  name: string;
  /** Which lock name it carries (`lock-`, `__READ__`, `__WRIT__`, ...). */
  lockName: string;
  /** The signed sequence number. */
  seq: number;
}

/**
 * Parses a child name into a contender when it ends with one of `lockNames` followed by a sequence
 * suffix; other children (not ours, or sub-nodes) are not contenders.
 */
export function parseContender(name: string, lockNames: readonly string[]): Contender | undefined {
  for (const lockName of lockNames) {
    const at = name.lastIndexOf(lockName);
    if (at === -1) continue;
    const seq = sequenceSuffix(name, at + lockName.length);
    if (seq === undefined || seq < -0x80000000 || seq > 0x7fffffff) continue;
    return { name, lockName, seq };
  }
  return undefined;
}

/**
 * The number `name` ends with from `start`, when that tail is a sequence suffix: 10 ASCII digits, or a
 * minus sign and 9 or 10 (Java's %010d counts the sign in the width: -000000001 up to -2147483648).
 * A character scan rather than slice + regex + Number: every listing parses every child.
 */
function sequenceSuffix(name: string, start: number): number | undefined {
  const end = name.length;
  let i = start;
  const negative = i < end && name.charCodeAt(i) === 45; // '-'
  if (negative) i++;
  const digits = end - i;
  if (digits !== 10 && !(negative && digits === 9)) return undefined;
  let value = 0;
  for (; i < end; i++) {
    const d = name.charCodeAt(i) - 48; // '0'
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
  }
  return negative ? -value : value;
}

/** Serial-number order of two sequence numbers: negative when `a` was created before `b`. */
export function compareSeq(a: number, b: number): number {
  return (a - b) | 0;
}

/** The contenders among `children`, oldest first. */
export function sortContenders(children: readonly string[], lockNames: readonly string[]): Contender[] {
  const out: Contender[] = [];
  for (const child of children) {
    const c = parseContender(child, lockNames);
    if (c !== undefined) out.push(c);
  }
  return out.sort((a, b) => compareSeq(a.seq, b.seq));
}
