/**
 * One source for every wait in the tests, vitest.config.ts's test and hook timeouts included:
 * TIMING_MULTIPLIER scales them all (Curator's Timing), so a slow machine raises one number instead of
 * editing timeouts. The only place that reads the variable.
 */
export const TIMING_MULTIPLIER: number = Number(process.env['TIMING_MULTIPLIER'] ?? '1') || 1;

/** `ms` scaled by TIMING_MULTIPLIER. */
export function scaled(ms: number): number {
  return Math.round(ms * TIMING_MULTIPLIER);
}
