import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gibberishScore } from '../../src/verify/gibberish.js';
import { verifyForImport } from '../../src/verify/index.js';
import { isDisposable, loadDisposableList, parseDomainList, saveDisposableList, storedListPath } from '../../src/verify/lists.js';
import { OfflineChecker, isRoleAccount } from '../../src/verify/offline.js';
import { editDistance, TypoSuggester } from '../../src/verify/typo.js';

describe('lists and heuristics', () => {
  const checker = new OfflineChecker(loadDisposableList(null));

  it('flags disposable domains from the bundled list, including subdomains of wildcard entries', () => {
    expect(checker.check('x@mailinator.com').disposable).toBe(true);
    expect(checker.check('x@sub.33mail.com').disposable).toBe(true);
    expect(checker.check('x@gmail.com').disposable).toBe(false);
  });

  it('recognises role accounts regardless of case and +tag', () => {
    expect(isRoleAccount('Sales+web')).toBe(true);
    expect(isRoleAccount('noreply')).toBe(true);
    expect(isRoleAccount('jane.doe')).toBe(false);
    expect(checker.check('postmaster@iana.org').role).toBe(true);
  });

  it('marks free providers by domain and registrable domain', () => {
    expect(checker.check('a@gmail.com').free).toBe(true);
    expect(checker.check('a@acme.co.uk').free).toBe(false);
    expect(checker.check('a@mail.acme.co.uk').registrable).toBe('acme.co.uk');
  });

  it('suggests corrections for provider typos and TLD slips, not for real domains', () => {
    const t = new TypoSuggester(['acme-corp.de']);
    expect(t.suggest('gmial.com')).toBe('gmail.com');
    expect(t.suggest('gmail.con')).toBe('gmail.com');
    expect(t.suggest('hotmail.cmo')).toBe('hotmail.com');
    expect(t.suggest('yahooo.com')).toBe('yahoo.com');
    expect(t.suggest('example.con')).toBe('example.com');
    expect(t.suggest('acme-crop.de')).toBe('acme-corp.de');
    for (const ok of ['gmail.com', 'mail.com', 'ymail.com', 'gmx.de', 'iana.org', 'company.com']) expect(t.suggest(ok)).toBeNull();
    expect(checker.check('Jane@gmial.com').suggestion).toBe('gmail.com');
  });

  it('edit distance counts a transposition as one edit and stops past the bound', () => {
    expect(editDistance('gmial', 'gmail', 2)).toBe(1);
    expect(editDistance('abc', 'abc', 1)).toBe(0);
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3);
  });

  it('scores keyboard mashes high and names low', () => {
    for (const g of ['xkqzjwpl', 'qwrtzpsdfg', 'a8f3k2j9d7x']) expect(gibberishScore(g)).toBeGreaterThanOrEqual(0.5);
    for (const n of ['john.smith', 'jennifer', 'christopher', 'mike1985', 'info']) expect(gibberishScore(n)).toBe(0);
  });

  it('flags TLDs not on the ICANN list', () => {
    expect(checker.check('a@b.c').unknownTld).toBe(true);
    expect(checker.check('a@iana.org').unknownTld).toBe(false);
  });

  it('verifyForImport: undeliverable for bad syntax, risky for disposable/role, deliverable otherwise', () => {
    expect(verifyForImport('nope')).toMatchObject({ verdict: 'undeliverable', diagnosis: 'no_at' });
    expect(verifyForImport('x@mailinator.com').verdict).toBe('risky');
    expect(verifyForImport('info@iana.org').verdict).toBe('risky');
    expect(verifyForImport('jane@iana.org')).toMatchObject({ verdict: 'deliverable', diagnosis: 'valid' });
    expect(verifyForImport('"jane"@iana.org', 'rfc').verdict).toBe('deliverable');
    expect(verifyForImport('"jane"@iana.org').verdict).toBe('undeliverable');
    expect(verifyForImport('\ud800' as unknown as string).verdict).toBe('undeliverable');
  });
});

describe('refreshed disposable list', () => {
  it('parses JSON arrays and line lists, dropping junk', () => {
    expect(parseDomainList('["A.com", "bad domain", 3, "b.org"]')).toEqual(['a.com', 'b.org']);
    expect(parseDomainList('# comment\nx.io\n\n  y.net  # trailing\nnot_a_domain\n')).toEqual(['x.io', 'y.net']);
  });

  it('prefers the data-dir copy and falls back to the bundled list when it is corrupt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-lists-'));
    saveDisposableList(dir, { source: 'file:test', version: null, domains: ['only-this.example'], wildcards: [] }, 1);
    const list = loadDisposableList(dir);
    expect(list.source).toBe('file:test');
    expect(isDisposable(list, 'only-this.example')).toBe(true);
    expect(isDisposable(list, 'mailinator.com')).toBe(false);
    const dir2 = mkdtempSync(join(tmpdir(), 'pl-lists-'));
    mkdirSync(join(dir2, 'verify'), { recursive: true });
    writeFileSync(storedListPath(dir2), '{not json');
    expect(loadDisposableList(dir2).source).toBe('bundled:disposable-email-domains');
  });
});

describe('update-lists', () => {
  it('installs the list from a package tarball and from a file; refuses a near-empty list', async () => {
    const { execFileSync } = await import('node:child_process');
    const { updateDisposableList } = await import('../../src/verify/update-lists.js');
    const src = mkdtempSync(join(tmpdir(), 'pl-pkg-'));
    mkdirSync(join(src, 'package'));
    const many = Array.from({ length: 20 }, (_, i) => `trash${i}.example`);
    writeFileSync(join(src, 'package', 'index.json'), JSON.stringify(many));
    writeFileSync(join(src, 'package', 'wildcard.json'), JSON.stringify(['wild.example']));
    writeFileSync(join(src, 'package', 'package.json'), JSON.stringify({ version: '9.9.9' }));
    execFileSync('tar', ['czf', join(src, 'p.tgz'), '-C', src, 'package']);
    const dataDir = mkdtempSync(join(tmpdir(), 'pl-data-'));
    const { readFileSync } = await import('node:fs');
    const r = await updateDisposableList(dataDir, { now: 5, fetchTarball: async () => ({ tgz: readFileSync(join(src, 'p.tgz')), version: null }) });
    expect(r).toMatchObject({ source: 'npm:disposable-email-domains', version: '9.9.9', domains: 20, wildcards: 1 });
    expect(isDisposable(loadDisposableList(dataDir), 'x.wild.example')).toBe(true);

    writeFileSync(join(src, 'list.txt'), many.join('\n'));
    const f = await updateDisposableList(dataDir, { now: 6, file: join(src, 'list.txt') });
    expect(f.domains).toBe(20);
    writeFileSync(join(src, 'tiny.txt'), 'a.com\n');
    await expect(updateDisposableList(dataDir, { now: 7, file: join(src, 'tiny.txt') })).rejects.toThrow(/refusing/);
    expect(loadDisposableList(dataDir).domains.size).toBe(20);
  });
});
