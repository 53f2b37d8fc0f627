/**
 * The Deno entry, in place of the Node entry, for the integration tests under ZKTS_RUNTIME=deno (select.ts).
 * The test files were written against the Node entry and call the entry's transport `nodeTransport` (to
 * wrap it: counting, stalling, recording); here that name is the Deno transport, so those tests exercise
 * Deno.connect as well. Tests that import src/transport/node.js directly still get node:net.
 */
export * from '../../../src/entry/deno.js';
export { denoTransport as nodeTransport } from '../../../src/entry/deno.js';
