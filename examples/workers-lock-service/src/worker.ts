/**
 * The stateless Worker in front of the lock service: every /locks/... request goes to the one Durable
 * Object that holds the ZooKeeper session (lock-service.ts). Any number of Worker instances can serve
 * requests; they share the object, so they share one session and one queue per lock.
 *
 *   POST /locks/:name/acquire  {"timeoutMs"?: 10000, "ttlMs"?: 60000}
 *        200 {token, fencingToken, validUntil, ttlUntil}   408 {error: "timeout"}
 *   POST /locks/:name/release  {"token": "..."}
 *        200 {released: true}   409 {released: false, lost: true, reason}   404 unknown token
 *   GET  /locks/:name
 *        200 {holder: {fencingToken, validUntil} | null, queueLength}
 *
 * Times are wall-clock epoch ms; fencing tokens are decimal strings (64-bit czxids).
 */
import type { Env } from './lock-service.js';

export { LockService } from './lock-service.js';

export default {
  fetch(request: Request, env: Env): Promise<Response> | Response {
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/locks/')) return new Response('not found\n', { status: 404 });
    return env.LOCKS.get(env.LOCKS.idFromName('zookeeper-session')).fetch(request);
  },
};
