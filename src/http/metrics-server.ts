// GET /metrics on a plain node:http listener, for processes that run no HTTP app (roles worker
// and smtp): Prometheus scrapes each worker process for what it sent. Not fastify: a worker keeps
// its heap small (main.ts), and this listener serves one path.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { deliveryRegistry } from '../delivery/metrics.js';

export interface MetricsServer {
  name: string;
  url: string;
  stop(): Promise<void>;
}

/**
 * What GET /metrics serves, here and in the HTTP app: this process's default metrics (`own`,
 * prefix postlane_) merged with the send path's (delivery/metrics.ts).
 */
export function processMetrics(): { own: Registry; served: Registry } {
  const own = new Registry();
  collectDefaultMetrics({ register: own, prefix: 'postlane_' });
  return { own, served: Registry.merge([own, deliveryRegistry]) };
}

export async function startMetricsServer(opts: { port: number; host: string }): Promise<MetricsServer> {
  const { served } = processMetrics();
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: this listener serves GET /metrics\n');
      return;
    }
    served.metrics().then(
      (text) => res.writeHead(200, { 'content-type': served.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    name: 'metrics',
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
