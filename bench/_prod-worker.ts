// Production worker processes for the benches: `node dist/cli/main.js start --role worker`,
// configured only through the environment as an operator would, with their peak RSS and CPU
// read from /proc (Linux) while they are still alive. It stops at starting, measuring, stopping.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { KEY_SPECS, type Config } from '../src/config/schema.js';
import { here } from './_send-fixture.js';

const root = join(here, '..');
const cli = join(root, 'dist', 'cli', 'main.js');

/** src/**.ts files whose compiled dist/**.js is missing or older than them. */
function staleSources(): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts')) {
        const js = join(root, 'dist', relative(join(root, 'src'), p)).replace(/\.ts$/, '.js');
        if (!existsSync(js) || statSync(js).mtimeMs < statSync(p).mtimeMs) stale.push(relative(root, p));
      }
    }
  };
  walk(join(root, 'src'));
  return stale;
}

/**
 * The bench measures the compiled product, so a dist/ older than src/ would measure yesterday's
 * code: build it (`npm run build`, output to stderr) or fail saying why.
 */
export function ensureBuilt(log: (s: string) => void): void {
  const stale = staleSources();
  if (stale.length === 0) return;
  log(`dist/ is missing or older than src/ (${stale[0]}${stale.length > 1 ? ` and ${stale.length - 1} more` : ''}): running npm run build…`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error('npm run build failed: the bench runs the compiled worker (node dist/cli/main.js); fix the build first');
  const still = staleSources();
  if (still.length) throw new Error(`dist/ is still older than src/ after npm run build (${still.slice(0, 3).join(', ')}): is tsconfig.build.json emitting them?`);
}

/**
 * The environment an operator would give the process: every set key of `config` under its first
 * env name. Inherited POSTLANE_* / DATABASE_URL / REDIS_URL / … are dropped so the shell running
 * the bench cannot reconfigure the worker, and NODE_OPTIONS too: under `npm run bench` it can
 * carry tsx's loader, and the point is plain node on dist/.
 */
export function configEnv(config: Config): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.POSTLANE_CONFIG;
  delete env.NODE_OPTIONS;
  for (const spec of Object.values(KEY_SPECS)) for (const name of spec.env) delete env[name];
  for (const [key, spec] of Object.entries(KEY_SPECS)) {
    const v = config[key as keyof Config];
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    env[spec.env[0] as string] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return env;
}

export interface ProcFigures {
  /** VmHWM: the kernel's peak resident set of the process over its whole life. */
  peakRssMb: number;
  /** utime + stime of the whole thread group (main thread, signer threads, libuv, GC helpers). */
  cpuUs: number;
  /**
   * The same per live thread id. Node 20 leaves its threads unnamed ("node"), so they are told
   * apart by CPU: the main thread (tid = pid), the signer thread (the other busy one), V8's
   * platform workers (concurrent marking, parallel scavenges) and libuv's pool.
   */
  byThread: Record<string, number>;
}

/** utime + stime in µs of a /proc …/stat line (clock ticks, USER_HZ = 100). */
function statCpuUs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 1e4;
}

export function procFigures(pid: number): ProcFigures {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!hwm) throw new Error(`no VmHWM in /proc/${pid}/status`);
  const byThread: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      byThread[tid] = statCpuUs(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
    } catch {
      // the thread ended between readdir and read
    }
  }
  return { peakRssMb: Number(hwm[1]) / 1024, cpuUs: statCpuUs(readFileSync(`/proc/${pid}/stat`, 'utf8')), byThread };
}

/** Per-message CPU of the main thread and of the other threads (largest first) between two readings. */
export function threadBreakdown(pid: number, a: ProcFigures, b: ProcFigures, n: number): string {
  const per = (tid: string) => ((b.byThread[tid] ?? 0) - (a.byThread[tid] ?? 0)) / n;
  const others = Object.keys(b.byThread).filter((t) => t !== String(pid)).map(per).filter((us) => us >= 0.5).sort((x, y) => y - x);
  return `main ${per(String(pid)).toFixed(0)}; other threads ${others.map((us) => us.toFixed(0)).join(', ')}`;
}

export interface ProductionWorker {
  pid: number;
  child: ChildProcess;
  /** Resolves with the started services once the process says it runs (after migrations). */
  ready: Promise<string[]>;
  /** Rejects if the process exits before stop() asked it to. */
  alive: Promise<never>;
  /** SIGTERM and wait for the clean exit `postlane start` promises (code 0). */
  stop(): Promise<void>;
}

/** `node dist/cli/main.js start --role worker`, its logs and start-up line passed on to stderr. */
export function spawnProductionWorker(env: NodeJS.ProcessEnv, cwd: string): ProductionWorker {
  // BENCH_WORKER_NODE_ARGS (e.g. "--trace-gc" or "--import ./sampler.mjs") is for investigating
  // the worker; the bench's figures are quoted without it.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, cli, 'start', '--role', 'worker'], { cwd, env, stdio: ['ignore', 2, 'pipe'] });
  let stopping = false;
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const alive = exited.then((code) => {
    if (!stopping) throw new Error(`worker ${child.pid} exited with ${code} before the campaign finished${err ? `:\n${err}` : ''}`);
    return new Promise<never>(() => {});
  });
  alive.catch(() => {});
  const ready = new Promise<string[]>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      process.stderr.write(d);
      err = (err + d.toString()).slice(-4000);
      const m = /^Postlane worker started \(services: ([^;]*);/m.exec(err);
      if (m) resolve((m[1] as string).split(', '));
    });
    alive.catch(reject);
  });
  return {
    pid: child.pid as number, child, ready, alive,
    async stop() {
      stopping = true;
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`worker ${child.pid} exited with ${code} after SIGTERM`);
    },
  };
}
