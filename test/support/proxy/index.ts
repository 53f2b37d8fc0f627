/** Fault-injection TCP proxy for tests and benchmarks. */
export { FaultProxy } from './fault-proxy.js';
export type { Direction, FaultProxyOptions, Latency, ProxyTarget, RequestKey } from './fault-proxy.js';
/** Raw TCP proxy for server-to-server links (partitions, delays). */
export { LinkProxy, type LinkProxyOptions, type LinkTarget } from './link-proxy.js';
