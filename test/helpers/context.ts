// Test contexts over real databases: a fresh SQLite file per context, and — when DATABASE_URL
// is set — a fresh PostgreSQL schema per context. describeEachDb runs a suite on both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.js';
import { ManualClock, type Clock } from '../../src/clock.js';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import type { AppContext } from '../../src/context.js';
import type { Dialect } from '../../src/db/dialect.js';
import { openDatabase } from '../../src/db/index.js';
import { loadInstanceSecret, runMigrations } from '../../src/db/migrate.js';
import { buildApp, type App } from '../../src/http/app.js';
import { silentLogger } from '../../src/log.js';
import { createWorkspace, type Workspace } from '../../src/workspaces/index.js';

export const PG_URL = process.env.DATABASE_URL && /^postgres/.test(process.env.DATABASE_URL) ? process.env.DATABASE_URL : null;
export const DIALECTS: Dialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...defaultConfig(), publicUrl: 'http://localhost:8080', databaseUrl: 'sqlite::memory:', port: 0, ...overrides };
}

export interface TestContext extends AppContext {
  clock: Clock;
  /** Removes the database (SQLite file or PostgreSQL schema). */
  destroy(): Promise<void>;
}

export async function openTestContext(dialect: Dialect, opts: { clock?: Clock; config?: Partial<Config> } = {}): Promise<TestContext> {
  let url: string;
  let pgSchema: string | undefined;
  let cleanup: () => Promise<void>;
  if (dialect === 'postgres') {
    if (!PG_URL) throw new Error('DATABASE_URL is not set');
    pgSchema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${pgSchema}`);
    await admin.end();
    url = PG_URL;
    const schema = pgSchema;
    cleanup = async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'postlane-test-'));
    url = `sqlite:${join(dir, 'test.db')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const handle = openDatabase(url, { pgSchema, poolSize: 5 });
  await runMigrations(handle.db);
  const config = testConfig({ databaseUrl: url, ...opts.config });
  const secret = await loadInstanceSecret(handle.db, null);
  return {
    db: handle.db,
    dialect,
    dbHandle: handle,
    config,
    log: silentLogger(),
    clock: opts.clock ?? new ManualClock(),
    secret,
    async destroy() {
      await handle.close();
      await cleanup();
    },
  };
}

/** Declares `describe(name [dialect])` once per available database. */
export function describeEachDb(name: string, fn: (dialect: Dialect) => void): void {
  for (const dialect of DIALECTS) describe(`${name} [${dialect}]`, () => fn(dialect));
}

export interface Tenant {
  workspace: Workspace;
  /** A Bearer API key with the given role. */
  key: string;
  auth: { authorization: string };
}

export async function createTenant(ctx: AppContext, opts: { name?: string; role?: string; postalAddress?: string | null } = {}): Promise<Tenant> {
  const workspace = await createWorkspace(ctx.db, ctx.clock, {
    name: opts.name ?? `Workspace ${Math.random().toString(36).slice(2, 7)}`,
    postalAddress: opts.postalAddress === undefined ? '1 Test Street, 10115 Berlin, Germany' : opts.postalAddress,
  });
  const created = await createApiKey(ctx.db, ctx.clock, { workspaceId: workspace.id, name: 'test', role: opts.role ?? 'owner' });
  return { workspace, key: created.key, auth: { authorization: `Bearer ${created.key}` } };
}

/** An extra API key with another role in an existing workspace. */
export async function keyWithRole(ctx: AppContext, workspaceId: number, role: string): Promise<{ authorization: string }> {
  const created = await createApiKey(ctx.db, ctx.clock, { workspaceId, name: `role-${role}`, role });
  return { authorization: `Bearer ${created.key}` };
}

export async function testApp(ctx: AppContext): Promise<App> {
  const app = await buildApp(ctx);
  await app.ready();
  return app;
}

export interface TestEnvOptions<K extends string> {
  /** Fresh context per test (beforeEach/afterEach) instead of one per describe (beforeAll/afterAll). */
  each?: boolean;
  clock?: Clock;
  config?: Partial<Config>;
  /** Build an app over the context (default true); false for suites that only use the context. */
  app?: boolean;
  /** Runs between opening the context and building the app: injected DNS, resolvers, fetchers. */
  prepare?: (ctx: TestContext) => void | Promise<void>;
  /** Tenants to create, in this order, each reachable as env[name]. */
  tenants?: { [name in K]: Parameters<typeof createTenant>[1] };
}

export type TestEnv<K extends string = never> = { readonly ctx: TestContext; readonly app: App } & { readonly [name in K]: Tenant };

/**
 * Registers the hooks that open a test context (and an app and tenants) and tear them down again,
 * and returns an object whose fields the hooks fill in. Call it in a describe body. Hooks run in
 * vitest's default 'stack' order: a beforeAll registered after this call sees the env filled in,
 * and an afterAll registered after it runs before the env is torn down (stop workers there).
 */
export function useTestEnv<K extends string = never>(dialect: Dialect, opts: TestEnvOptions<K> = {}): TestEnv<K> {
  const state: { ctx?: TestContext; app?: App; tenants: Partial<Record<string, Tenant>> } = { tenants: {} };
  // A field read before the hook ran (or after teardown) names the mistake instead of being undefined.
  const field = <T>(name: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`useTestEnv: env.${name} is read outside the test's lifetime${name === 'app' && opts.app === false ? ' (app: false)' : ''}`);
    return value;
  };
  const env = {
    get ctx() { return field('ctx', state.ctx); },
    get app() { return field('app', state.app); },
  };
  const tenantOpts = (opts.tenants ?? {}) as Record<string, Parameters<typeof createTenant>[1]>;
  for (const name of Object.keys(tenantOpts)) {
    if (name in env) throw new Error(`useTestEnv: a tenant cannot be called ${name}`);
    Object.defineProperty(env, name, { enumerable: true, get: () => field(name, state.tenants[name]) });
  }
  const setUp = async () => {
    const ctx = await openTestContext(dialect, { clock: opts.clock, config: opts.config });
    state.ctx = ctx;
    await opts.prepare?.(ctx);
    if (opts.app !== false) state.app = await testApp(ctx);
    for (const [name, o] of Object.entries(tenantOpts)) state.tenants[name] = await createTenant(ctx, o);
  };
  // Closes only what was opened, so a failed setUp still removes its database.
  const tearDown = async () => {
    const { ctx, app } = state;
    state.ctx = undefined;
    state.app = undefined;
    state.tenants = {};
    try {
      await app?.close();
    } finally {
      await ctx?.destroy();
    }
  };
  if (opts.each) {
    beforeEach(setUp);
    afterEach(tearDown);
  } else {
    beforeAll(setUp);
    afterAll(tearDown);
  }
  return env as TestEnv<K>;
}
