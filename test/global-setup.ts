// Runs once before the suite: says loudly which database-backed suites will be skipped, and
// fails fast when DATABASE_URL / REDIS_URL are set but their servers cannot be reached.
import net from 'node:net';
import pg from 'pg';

export default async function setup(): Promise<void> {
  const skipped: string[] = [];
  const pgUrl = process.env.DATABASE_URL;
  if (pgUrl && /^postgres/.test(pgUrl)) {
    const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 5000 });
    try {
      await c.connect();
      await c.query('select 1');
    } catch (err) {
      throw new Error(`DATABASE_URL is set (${pgUrl}) but PostgreSQL is unreachable: ${(err as Error).message}`);
    } finally {
      await c.end().catch(() => {});
    }
  } else {
    skipped.push('every PostgreSQL run of the suites (DATABASE_URL is not set; SQLite runs only)');
  }
  const redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    const u = new URL(redisUrl);
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(Number(u.port || 6379), u.hostname, () => { s.end(); resolve(); });
      s.on('error', (err) => reject(new Error(`REDIS_URL is set (${redisUrl}) but Redis is unreachable: ${err.message}`)));
    });
  } else {
    skipped.push('Redis-backed suites (REDIS_URL is not set)');
  }
  if (skipped.length) {
    process.stderr.write(`\n${'!'.repeat(78)}\nSKIPPED SUITES:\n${skipped.map((s) => `  - ${s}`).join('\n')}\n${'!'.repeat(78)}\n\n`);
  }
}
