// The plain-text part: derived from the HTML *template* once per variant (so Liquid output in
// text is rendered, not re-converted per recipient), with a per-render fallback.
import { convert, type HtmlToTextOptions } from 'html-to-text';

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));

// wordwrap off: wrapping could split a `{{ … }}` expression; uppercase off: it would rename variables.
const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    ...HEADINGS,
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, noAnchorUrl: true } },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block' },
    { selector: 'td', format: 'block' },
  ],
};

export function htmlToText(html: string): string {
  return convert(html, OPTIONS).replace(/\n{3,}/g, '\n\n').trim();
}
