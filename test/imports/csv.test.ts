import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvTokenizer, sniffDelimiter } from '../../src/imports/csv.js';
import { sniffEncoding } from '../../src/imports/decode.js';
import { compileHeaderMapping } from '../../src/imports/mapping.js';
import { SeenAddresses } from '../../src/imports/dedup.js';

function tokenize(text: string, chunk = 7, max = 1 << 20, delim = ',') {
  const records: { fields: string[]; line: number }[] = [];
  const broken: { line: number; reason: string }[] = [];
  const t = new CsvTokenizer(delim, max, { record: (fields, line) => records.push({ fields, line }), broken: (line, reason) => broken.push({ line, reason }) });
  for (let i = 0; i < text.length; i += chunk) t.push(text.slice(i, i + chunk));
  t.end();
  return { records, broken };
}

const quote = (v: string) => (/[",\n\r]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v);

describe('CSV tokenizer', () => {
  it('parses like csv-parse on RFC 4180 input, whatever the chunk boundaries', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '😀'), maxLength: 8 });
    fc.assert(fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 13 }), (rows, chunk) => {
      const text = rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
      const expected = parse(text, { relax_column_count: true, skip_empty_lines: true });
      expect(tokenize(text, chunk).records.map((r) => r.fields)).toEqual(expected);
    }), { numRuns: 300 });
  });

  it('reports the line a record starts on, counting quoted newlines', () => {
    const { records } = tokenize('email,note\na@x.io,"two\nlines"\n\nb@x.io,"say ""hi"""\nc@x.io,plain\n');
    expect(records.map((r) => [r.line, r.fields[1]])).toEqual([[1, 'note'], [2, 'two\nlines'], [5, 'say "hi"'], [6, 'plain']]);
  });

  it('keeps a stray quote inside an unquoted field literally (relaxed quotes)', () => {
    expect(tokenize('a,b"c,d\n').records[0]?.fields).toEqual(['a', 'b"c', 'd']);
  });

  it('rejects an oversize row by line and resumes at the next record instead of buffering the file', () => {
    const big = 'x'.repeat(5000);
    const { records, broken } = tokenize(`email\na@x.io\n"${big}\n${big}"\nb@x.io\n${big}\nc@x.io\n`, 512, 1000);
    expect(broken).toEqual([{ line: 3, reason: 'row_too_large' }, { line: 6, reason: 'row_too_large' }]);
    expect(records.map((r) => [r.line, r.fields[0]])).toEqual([[1, 'email'], [2, 'a@x.io'], [5, 'b@x.io'], [7, 'c@x.io']]);
  });

  it('reports an unterminated quote at the end of the file', () => {
    const { records, broken } = tokenize('email\na@x.io\n"b@x.io,oops\n');
    expect(records).toHaveLength(2);
    expect(broken).toEqual([{ line: 3, reason: 'unterminated_quote' }]);
  });

  it('detects the delimiter from the header line', () => {
    expect(sniffDelimiter('email;first name;"a,b"\nx')).toBe(';');
    expect(sniffDelimiter('email\tname\n')).toBe('\t');
    expect(sniffDelimiter('email\n')).toBe(',');
  });
});

describe('encoding sniffing', () => {
  it('names BOMs, UTF-16 without BOM, archives and binary junk', () => {
    expect(sniffEncoding(Buffer.from('\uFEFFemail\n'))).toEqual({ encoding: 'utf8', bomBytes: 3 });
    expect(sniffEncoding(Buffer.from('\uFEFFemail\n', 'utf16le'))).toEqual({ encoding: 'utf16le', bomBytes: 2 });
    expect(() => sniffEncoding(Buffer.from('email,name\na@b.io,x\n', 'utf16le'))).toThrow(/UTF-16/);
    expect(() => sniffEncoding(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).toThrow(/ZIP/);
    expect(() => sniffEncoding(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0, 0, 3]))).toThrow(/binary/);
    expect(() => sniffEncoding(Buffer.alloc(0))).toThrow(/empty/);
  });
});

describe('header mapping', () => {
  it('matches aliases ignoring case, spaces and punctuation; other columns become attributes', () => {
    const m = compileHeaderMapping(['E-Mail Address', 'First Name', 'SURNAME', 'Favourite Colour', 'tz']);
    expect(m.columns.map((c) => c.target)).toEqual([
      { kind: 'field', field: 'email' }, { kind: 'field', field: 'first_name' }, { kind: 'field', field: 'last_name' },
      { kind: 'attribute', name: 'favourite_colour' }, { kind: 'field', field: 'timezone' },
    ]);
  });

  it('lets an explicit mapping override detection', () => {
    const m = compileHeaderMapping(['Contact', 'email', 'Plan'], { Contact: 'email', email: 'attribute:old_email', plan: 'ignore' });
    expect(m.emailIndex).toBe(0);
    expect(m.columns.map((c) => c.target)).toEqual([{ kind: 'field', field: 'email' }, { kind: 'attribute', name: 'old_email' }, { kind: 'ignore' }]);
  });

  it('refuses a header without an email column, listing the headers found', () => {
    expect(() => compileHeaderMapping(['name', 'phone'])).toThrow(/no email column: found "name", "phone"/);
  });
});

describe('in-file dedup set', () => {
  it('remembers every key across growth', () => {
    const s = new SeenAddresses(16);
    for (let i = 0; i < 50_000; i++) expect(s.seenBefore(`u${i}@x.io`)).toBe(false);
    for (let i = 0; i < 50_000; i += 997) expect(s.seenBefore(`u${i}@x.io`)).toBe(true);
    expect(s.size).toBe(50_000);
  });
});
