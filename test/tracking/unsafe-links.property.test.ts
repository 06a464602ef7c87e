// Property test: whatever the spelling, no navigating attribute in trackHtml's output reaches a
// script-capable scheme as a spec-compliant HTML parser (parse5, what browsers implement) reads it.
import fc from 'fast-check';
import { parseFragment } from 'parse5';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCampaignLinks, trackHtml, type CampaignLinks } from '../../src/tracking/index.js';
import { createTenant, useTestEnv } from '../helpers/context.js';
import { addCampaign } from '../compliance/fixtures.js';

type Node = { nodeName: string; attrs?: Array<{ name: string; value: string }>; childNodes?: Node[]; content?: Node };

function navigatingValues(html: string): string[] {
  const out: string[] = [];
  const walk = (n: Node) => {
    for (const a of n.attrs ?? []) if (['href', 'xlink:href', 'action', 'formaction'].includes(a.name)) out.push(a.value);
    for (const c of n.childNodes ?? []) walk(c);
    if (n.content) walk(n.content);
  };
  walk(parseFragment(html) as unknown as Node);
  return out;
}

const schemeOf = (v: string) => /^([a-z][a-z0-9+.-]*):/i.exec(v.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+/, ''))?.[1]?.toLowerCase();

// Pieces that obfuscate a scheme the ways browsers still accept.
const letter = (ch: string) => fc.constantFrom(ch, ch.toUpperCase(), `&#${ch.charCodeAt(0)};`, `&#x${ch.charCodeAt(0).toString(16)};`, `&#0${ch.charCodeAt(0)}`, `${ch}\t`, `${ch}&Tab;`, `${ch}&NewLine;`);
const word = (w: string) => fc.tuple(...[...w].map(letter)).map((parts) => parts.join(''));
const scheme = fc.oneof(word('javascript'), word('data'), word('vbscript'), fc.constant('https'), fc.constant('mailto'));
const colon = fc.constantFrom(':', '&colon;', '&#58;', '&#x3a;');
const lead = fc.constantFrom('', ' ', '\u0001', '&#32;', '\n');
const quote = fc.constantFrom('"', "'", '');
const sep = fc.constantFrom(' ', '/', '\n', '" ');
const attr = fc.constantFrom('href', 'HREF', 'action', 'formaction', 'xlink:href');

const anchor = fc.tuple(sep, attr, lead, scheme, colon, quote).map(([s, a, l, sc, c, q]) => {
  const value = `${l}${sc}${c}alert(1)//example.com`;
  const v = q === '' ? value.replace(/[\s"'=<>`]/g, '') : value.replaceAll(q, '');
  return s === '" ' ? `<a title="x"${a}=${q}${v}${q}>x</a>` : `<a${s}${a}=${q}${v}${q}>x</a>`;
});

describe('unsafe link neutralisation (property)', () => {
  let links: CampaignLinks;
  const env = useTestEnv('sqlite', { app: false });
  beforeAll(async () => {
    const t = await createTenant(env.ctx);
    const campaign = await addCampaign(env.ctx, t.workspace.id, []);
    links = await registerCampaignLinks(env.ctx, t.workspace.id, campaign, '');
  });

  it('prevents javascript:, data: and vbscript: from being emitted in any spelling', () => {
    fc.assert(fc.property(fc.array(anchor, { minLength: 1, maxLength: 5 }), fc.boolean(), (parts, trackClicks) => {
      const out = trackHtml(links, `<html><body>${parts.join('<br>')}</body></html>`, { deliveryId: 1, trackingConsent: true, trackOpens: false, trackClicks });
      for (const v of navigatingValues(out)) expect(['javascript', 'data', 'vbscript']).not.toContain(schemeOf(v));
    }), { numRuns: 500 });
  });
});
