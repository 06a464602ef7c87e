// Table-driven check of every corpus file: kind, reason and hard flag of the first recipient
// (test/fixtures/feedback/expected.json), plus that the corpus covers every reason in the taxonomy.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyParsed } from '../../src/feedback/classify.js';
import { classifyFeedback, REASONS } from '../../src/feedback/index.js';
import { parseMessage } from '../../src/feedback/mime.js';

const dir = join(import.meta.dirname, '../fixtures/feedback');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, { kind: string; reason: string; hard: boolean; feedback_type?: string }>;
const files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();

describe('feedback corpus', () => {
  it('has an expectation for every file and a file for every expectation', () => {
    expect(Object.keys(expected).sort()).toEqual(files);
  });

  it.each(files)('%s', async (file) => {
    const want = expected[file]!;
    const got = await classifyFeedback(readFileSync(join(dir, file)));
    expect(got.kind).toBe(want.kind);
    if (want.kind === 'not_feedback') {
      expect(got.recipients).toEqual([]);
      return;
    }
    expect(got.recipients.length).toBeGreaterThan(0);
    const first = got.recipients[0]!;
    expect({ reason: first.reason, hard: first.hard }).toEqual({ reason: want.reason, hard: want.hard });
    if (want.feedback_type) expect(got.feedback_type).toBe(want.feedback_type);
    // Auto-replies, complaints and delays must never look like dead mailboxes.
    if (want.kind !== 'bounce' || first.action === 'delayed') expect(got.recipients.every((r) => !r.hard)).toBe(true);
  });

  it('covers every reason of the taxonomy', () => {
    const covered = new Set(Object.values(expected).map((e) => e.reason));
    expect(REASONS.filter((r) => !covered.has(r))).toEqual([]);
  });
});

describe('fast MIME path', () => {
  it.each(files)('classifies %s exactly as the postal-mime path does', async (file) => {
    const raw = readFileSync(join(dir, file));
    const viaPostalMime = classifyParsed(await parseMessage(raw, { fast: false }));
    const viaFast = classifyParsed(await parseMessage(raw));
    expect(viaFast).toEqual(viaPostalMime);
  });
});
