// Refreshes the disposable-domain list into the data dir: from the npm registry package
// (fetched with `npm pack`, the registry's ordinary client) or from a local file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { AppError } from '../errors.js';
import { parseDomainList, saveDisposableList } from './lists.js';
import { resetOfflineCheckers } from './offline.js';

const run = promisify(execFile);
export const LIST_PACKAGE = 'disposable-email-domains';

/** Reads the named files out of a .tgz (ustar) without extracting to disk. */
export function readTarGz(tgz: Buffer, wanted: readonly string[]): Map<string, Buffer> {
  const tar = gunzipSync(tgz);
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    const full = prefix ? `${prefix}/${name}` : name;
    if (wanted.includes(full)) out.set(full, tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Downloads the latest package tarball with `npm pack` into a temp dir. */
export async function npmPackTarball(pkg = LIST_PACKAGE): Promise<{ tgz: Buffer; version: string | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'postlane-lists-'));
  try {
    const { stdout } = await run('npm', ['pack', `${pkg}@latest`, '--json', '--pack-destination', dir], { timeout: 120_000, maxBuffer: 16 << 20 });
    const info = JSON.parse(stdout) as Array<{ filename: string; version?: string }>;
    const file = info[0]?.filename;
    if (!file) throw new Error('npm pack returned no file');
    return { tgz: readFileSync(join(dir, file)), version: info[0]?.version ?? null };
  } catch (err) {
    throw new AppError('unprocessable', `cannot fetch ${pkg} from the npm registry (${(err as Error).message.split('\n')[0]}); the bundled list stays in force`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface UpdateListsResult {
  source: string;
  version: string | null;
  domains: number;
  wildcards: number;
  path: string;
}

export async function updateDisposableList(
  dataDir: string,
  opts: { file?: string; now: number; fetchTarball?: () => Promise<{ tgz: Buffer; version: string | null }> },
): Promise<UpdateListsResult> {
  let domains: string[];
  let wildcards: string[] = [];
  let source: string;
  let version: string | null = null;
  if (opts.file) {
    domains = parseDomainList(readFileSync(opts.file, 'utf8'));
    source = `file:${opts.file}`;
  } else {
    const fetched = await (opts.fetchTarball ?? (() => npmPackTarball()))();
    const files = readTarGz(fetched.tgz, ['package/index.json', 'package/wildcard.json', 'package/package.json']);
    const index = files.get('package/index.json');
    if (!index) throw new AppError('unprocessable', `the ${LIST_PACKAGE} package has no index.json`);
    domains = parseDomainList(index.toString('utf8'));
    const wc = files.get('package/wildcard.json');
    if (wc) wildcards = parseDomainList(wc.toString('utf8'));
    const pj = files.get('package/package.json');
    version = fetched.version ?? (pj ? ((JSON.parse(pj.toString('utf8')) as { version?: string }).version ?? null) : null);
    source = `npm:${LIST_PACKAGE}`;
  }
  // An empty or tiny list is a broken download, not a fact: refuse rather than disable the check.
  if (domains.length < 10) throw new AppError('unprocessable', `refusing a disposable list of ${domains.length} domains`);
  const path = saveDisposableList(dataDir, { source, version, domains, wildcards }, opts.now);
  resetOfflineCheckers();
  return { source, version, domains: domains.length, wildcards: wildcards.length, path };
}
