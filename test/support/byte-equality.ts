/** Byte arrays compared by content in one call: vitest's element-wise walk costs seconds on 64 KiB buffers. */
import { expect } from 'vitest';

/** Makes toEqual compare two Uint8Arrays by their bytes (in the calling test file). */
export function compareBytesByContent(): void {
  expect.addEqualityTesters([
    (a: unknown, b: unknown): boolean | undefined =>
      a instanceof Uint8Array && b instanceof Uint8Array ? a.length === b.length && Buffer.compare(a, b) === 0 : undefined,
  ]);
}
