// The fast path must render exactly what liquidjs renders, or decline. Differential: random
// templates over random data, both engines (html escapes output, text does not).
import { describe, expect, it } from 'vitest';
import { compileFastRender } from '../../src/content/fast-render.js';
import { sandboxedLiquid } from '../../src/content/liquid.js';

// A small deterministic PRNG so a failure reproduces.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const VALUES: unknown[] = [
  'Jane', '', '   ', 'Tom & "Jerry" <b>\'s</b>', 'Köln', 0, -0, 42, 3.5, 1e21, true, false, null, undefined,
  ['a', 'b'], { nested: 'x' }, { first: 'f' }, new Date(0), () => 'fn',
];
const KEYS = ['first_name', 'city', 'nested', 'size', 'first', 'last', 'constructor', 'toString', 'length', '__proto__'];
const LITERALS = ['there', '', 'a "quoted" <arg>', "it's", ' '];

describe('fast template path', () => {
  for (const escape of [true, false]) {
    it(`renders exactly what liquidjs renders, or declines (${escape ? 'html' : 'text'} engine)`, () => {
      const engine = sandboxedLiquid({}, escape);
      const r = rng(escape ? 7 : 11);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
      let fastRenders = 0;
      for (let n = 0; n < 4000; n++) {
        let src = '';
        for (let k = 0, parts = 1 + Math.floor(r() * 4); k < parts; k++) {
          src += pick(['Hi ', '<p>', ' & ', '\n', '', '{{', '}']).replace(/[{}]/g, '');
          const path = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => (i === 0 ? pick(['contact', 'contact', 'campaign', 'missing', 'size']) : pick([...KEYS, 'first_name', 'city', 'name', 'id'])));
          const filters = Array.from({ length: Math.floor(r() * 3) }, () => `| ${pick(['default', 'fallback', 'default', 'fallback', 'upcase'])}: ${JSON.stringify(pick(LITERALS))}`.replace(/^\| upcase: .*$/, '| upcase'));
          const ws = pick(['{{ ', '{{- ']);
          src += `${ws}${path.join('.')} ${filters.join(' ')} ${pick(['}}', '-}}'])}`;
          src += pick([' ', '!', '', '\t ']);
        }
        const contact: Record<string, unknown> = {};
        for (const key of KEYS) if (r() < 0.6 && key !== '__proto__') contact[key] = pick(VALUES);
        const vars = { contact, campaign: { id: 7, name: pick(VALUES) } };
        const tpl = engine.parse(src);
        const fast = compileFastRender(engine, tpl);
        const got = fast?.(vars);
        let expected: string;
        try {
          expected = engine.renderSync(tpl, vars) as string;
        } catch {
          // A render error (e.g. an object whose own "toString" is data) stays liquidjs' to report.
          expect(got).toBeUndefined();
          continue;
        }
        if (got !== undefined) {
          fastRenders++;
          expect({ src, got }).toEqual({ src, got: expected });
        }
      }
      // The comparison must have exercised the fast path, not only its refusals.
      expect(fastRenders).toBeGreaterThan(300);
    });
  }

  it('takes the fast path for plain outputs with default/fallback (the common campaign)', () => {
    const engine = sandboxedLiquid({}, true);
    const fast = compileFastRender(engine, engine.parse('<h1>Hello {{ contact.first_name | default: "there" }}</h1>{{ unsubscribe_url }}'));
    expect(fast?.({ contact: { first_name: '<Ann>' }, unsubscribe_url: 'https://x.test/u/a?b=1&c=2' })).toBe('<h1>Hello &lt;Ann&gt;</h1>https://x.test/u/a?b=1&amp;c=2');
  });

  it('declines tags, other filters, liquid-special keys and non-plain values (liquidjs renders those)', () => {
    const engine = sandboxedLiquid({ footer: 'f' }, true);
    for (const src of ['{% if contact %}x{% endif %}', '{{ contact.name | upcase }}', '{{ contact.tags.size }}', '{{ contact.tags.first }}', "{% render 'footer' %}", '{{ "literal" }}', '{{ contact["name"] }}']) {
      expect(compileFastRender(engine, engine.parse(src)), src).toBeNull();
    }
    const fast = compileFastRender(engine, engine.parse('{{ contact.x }}'));
    expect(fast?.({ contact: { x: ['a'] } })).toBeUndefined();
    expect(fast?.({ contact: { x: { y: 1 } } })).toBeUndefined();
    expect(fast?.({ contact: new (class C { x = 1; })() })).toBeUndefined();
  });

  it('prevents prototype reads: inherited members render as nothing, like ownPropertyOnly', () => {
    const engine = sandboxedLiquid({}, false);
    const fast = compileFastRender(engine, engine.parse('[{{ contact.constructor }}][{{ contact.toString }}][{{ contact.__proto__ }}]'));
    expect(fast?.({ contact: {} })).toBe('[][][]');
  });
});
