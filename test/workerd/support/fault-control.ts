/**
 * The Node side of the workerd suite's fault injection: workerd can open sockets but not listen, so the
 * FaultProxies and the hostile servers the tests need run here, in the vitest process, and the tests
 * inside workerd drive them over HTTP on loopback (remote-fault-proxy.ts is the client).
 *
 *   POST /proxies                 {target}            -> {id, port}       starts a FaultProxy
 *   POST /proxies/:id/call        {method, args}      -> {result}         a FaultProxy method; a cut
 *                                                                           rule answers once armed with
 *                                                                           {ticket}, and
 *   GET  /tickets/:n                                  -> {}               answers once that cut happened
 *   POST /proxies/:id/close                           -> {}
 *   POST /hostile/mid-frame                           -> {port}           a server that reads the
 *                                                                           ConnectRequest, sends half a
 *                                                                           ConnectResponse and closes
 *   POST /hostile/sink            {bytes}             -> {port}           a server that reads `bytes`
 *                                                                           bytes, answers their SHA-256
 *                                                                           and closes
 *   POST /free-port                                   -> {port}           a loopback port nobody listens on
 */
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
// Not through proxy/index.js: vitest.workers.config.ts points that specifier at the workerd-side client.
import { FaultProxy } from '../../support/proxy/fault-proxy.js';
import { freePorts } from '../../support/zookeeper/free-port.js';

const SYNC_METHODS = new Set(['setLatency', 'blackhole', 'refuse', 'resetAll', 'clearRules', 'resetCounts']);
const CUT_METHODS = new Set(['cutAfterBytes', 'cutAfterReplyTo', 'dropReplyTo']);

export interface FaultControl {
  readonly url: string;
  close(): Promise<void>;
}

export async function startFaultControl(): Promise<FaultControl> {
  const proxies = new Map<number, FaultProxy>();
  const tickets = new Map<number, Promise<void>>();
  const servers = new Set<Server>();
  const sockets = new Set<Socket>();
  let nextId = 1;

  const listen = async (onConnection: (socket: Socket) => void): Promise<number> => {
    const server = createServer({ noDelay: true }, (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      onConnection(socket);
    });
    servers.add(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };

  const routes = async (method: string, path: string, body: Record<string, unknown>): Promise<unknown> => {
    if (method === 'POST' && path === '/proxies') {
      const proxy = await FaultProxy.start({ target: body['target'] as { host: string; port: number } });
      const id = nextId++;
      proxies.set(id, proxy);
      return { id, port: proxy.port };
    }
    let m = /^\/proxies\/(\d+)\/(call|close)$/.exec(path);
    if (method === 'POST' && m !== null) {
      const proxy = proxies.get(Number(m[1]));
      if (proxy === undefined) throw new Error(`no proxy ${m[1]}`);
      if (m[2] === 'close') {
        await proxy.close();
        proxies.delete(Number(m[1]));
        return {};
      }
      const name = String(body['method']);
      const args = (body['args'] as unknown[] | undefined) ?? [];
      if (SYNC_METHODS.has(name)) {
        (proxy as unknown as Record<string, (...a: unknown[]) => void>)[name]!(...args);
        return {};
      }
      if (CUT_METHODS.has(name)) {
        const ticket = nextId++;
        tickets.set(ticket, (proxy as unknown as Record<string, (...a: unknown[]) => Promise<void>>)[name]!(...args));
        return { ticket };
      }
      throw new Error(`unknown proxy method ${name}`);
    }
    m = /^\/tickets\/(\d+)$/.exec(path);
    if (method === 'GET' && m !== null) {
      await tickets.get(Number(m[1]));
      tickets.delete(Number(m[1]));
      return {};
    }
    if (method === 'POST' && path === '/hostile/mid-frame') {
      const port = await listen((socket) => {
        let got = 0;
        socket.on('data', (chunk: Buffer) => {
          got += chunk.length;
          // The ConnectRequest (4 + 44 bytes and more) is in: send the length and part of the response.
          if (got >= 48 && !socket.writableEnded) {
            const head = Buffer.alloc(4 + 10);
            head.writeInt32BE(36, 0);
            socket.end(head);
          }
        });
      });
      return { port };
    }
    if (method === 'POST' && path === '/hostile/sink') {
      const expected = Number(body['bytes']);
      const port = await listen((socket) => {
        const hash = createHash('sha256');
        let got = 0;
        socket.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          got += chunk.length;
          if (got >= expected && !socket.writableEnded) socket.end(Buffer.concat([hash.digest(), Buffer.from(String(got))]));
        });
      });
      return { port };
    }
    if (method === 'POST' && path === '/free-port') {
      const [port] = await freePorts(1);
      return { port };
    }
    throw new Error(`no route ${method} ${path}`);
  };

  const http = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      routes(req.method ?? 'GET', req.url ?? '/', text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)).then(
        (result) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(result));
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(err instanceof Error ? err.stack : String(err));
        },
      );
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([...proxies.values()].map((p) => p.close()));
      await Promise.all([...servers].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
