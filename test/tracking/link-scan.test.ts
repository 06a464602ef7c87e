// The scanner must find exactly what LINK_ATTR finds: trackHtml drops unsafe links by these matches.
import { describe, expect, it } from 'vitest';
import { replaceLinkAttributes, isJsSpace } from '../../src/tracking/link-scan.js';
import { LINK_ATTR } from '../../src/tracking/links.js';

const mark = (whole: string, prefix: string, dq: string | undefined, sq: string | undefined, bare: string | undefined, offset: number) =>
  `[${offset}|${prefix}|${dq ?? '-'}|${sq ?? '-'}|${bare ?? '-'}|${whole.length}]`;

// Pieces that exercise every branch: separators, each \s, quotes, "=", the names in mixed case,
// letters that fold to ASCII only in unicode mode (ı, ſ, K), and link-ish values.
const PIECES = [
  ' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u1680', '\u2003', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u200b',
  '/', '"', "'", '=', '<', '>', '`', ':', 'a', 'x', 'm',
  'href', 'HREF', 'HrEf', 'xlink:href', 'XLINK:HREF', 'action', 'ACTION', 'formaction', 'FormAction', 'hreff', 'ıref', 'hre\u017f', '\u212Aref',
  '<a href="', '<a href=', "<a href='", '<area href=', '<form action=', '<button formaction=', ' = ', '="', "='",
  'javascript:alert(1)', 'https://x.example/a?b=c', 'data:text/html,x', '&#106;avascript:x', '{{ u }}', 'Köln', '😀',
];

function randomDoc(rand: () => number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += PIECES[Math.floor(rand() * PIECES.length)];
  return s;
}

function lcg(seed: number) {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('replaceLinkAttributes', () => {
  it('finds exactly the matches of LINK_ATTR on 20,000 random documents (prevents an unsafe link the scanner misses)', () => {
    const rand = lcg(20261127);
    for (let n = 0; n < 20_000; n++) {
      const doc = randomDoc(rand, 1 + Math.floor(rand() * 40));
      expect(replaceLinkAttributes(doc, mark), JSON.stringify(doc)).toBe(doc.replace(LINK_ATTR, mark));
    }
  });

  it('agrees on real markup: quoted, bare, spaced, unclosed and back-to-back attributes', () => {
    const docs = [
      '<p><a href="https://a.example/x">A</a> <a HREF=\'https://b.example\'>B</a> <a href = https://c.example/?q=1>C</a></p>',
      '<a/href="javascript:alert(1)">x</a><a title="t"href="data:x">y</a><form action=/go><button formaction="vbscript:x">',
      '<a href="unclosed>never', '<a href=>empty</a>', '<a href= "x">', 'text href=javascript:x more', '<svg><a xlink:href="javascript:x"/></svg>',
      '<a href="x"href="y">', '<a href="a=b" action=c>', '',
    ];
    for (const doc of docs) expect(replaceLinkAttributes(doc, mark)).toBe(doc.replace(LINK_ATTR, mark));
  });

  it('treats exactly the code units of \\s as whitespace', () => {
    for (let c = 0; c <= 0xffff; c++) expect(isJsSpace(c), c.toString(16)).toBe(/\s/.test(String.fromCharCode(c)));
  });
});
