// Loads the configuration from defaults, an optional JSON file and the environment, and
// reports every bad key at once (a ConfigError) rather than failing on the first.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultConfig, KEY_SPECS, type Config } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file; defaults to env POSTLANE_CONFIG. */
  file?: string | null;
  /** Values that win over everything (CLI flags). */
  overrides?: Partial<Config>;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const problems: string[] = [];
  const merged: Record<string, unknown> = { ...defaultConfig() };

  const file = opts.file ?? env.POSTLANE_CONFIG ?? null;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      problems.push(`config file ${file}: ${(err as Error).message}`);
    }
    if (parsed !== undefined) {
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        problems.push(`config file ${file}: must contain a JSON object`);
      } else {
        for (const [key, raw] of Object.entries(parsed)) {
          const spec = KEY_SPECS[key as keyof Config];
          if (!spec) {
            problems.push(`${key} (config file): unknown key; known keys are ${Object.keys(KEY_SPECS).join(', ')}`);
            continue;
          }
          if (raw === null) {
            merged[key] = null;
            continue;
          }
          const r = spec.parse(String(raw));
          if ('error' in r) problems.push(`${key} (config file): ${r.error}`);
          else merged[key] = r.value;
        }
      }
    }
  }

  for (const [key, spec] of Object.entries(KEY_SPECS)) {
    const name = spec.env.find((n) => env[n] !== undefined && env[n] !== '');
    if (!name) continue;
    const r = spec.parse(env[name] as string);
    if ('error' in r) problems.push(`${name}: ${r.error} (got ${JSON.stringify(env[name])})`);
    else merged[key] = r.value;
  }

  for (const [key, value] of Object.entries(opts.overrides ?? {})) {
    if (value !== undefined) merged[key] = value;
  }

  if (problems.length > 0) throw new ConfigError(problems);

  if (!merged.publicUrl) merged.publicUrl = `http://localhost:${merged.port as number}`;
  merged.publicUrl = String(merged.publicUrl).replace(/\/+$/, '');
  if (!merged.databaseUrl) merged.databaseUrl = `sqlite:${resolve(String(merged.dataDir), 'postlane.db')}`;
  return merged as unknown as Config;
}
