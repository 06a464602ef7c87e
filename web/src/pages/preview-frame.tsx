// Renders email HTML the way a recipient sees it, without letting it run in the admin origin:
// a srcdoc iframe sandboxed WITHOUT allow-scripts and WITHOUT allow-same-origin (listmonk
// CVE-2026-21483: stored campaign HTML executing as the admin). Links open in a new tab only.
export function PreviewFrame({ html, title }: { html: string; title: string }) {
  // <base target> so a clicked link leaves the frame instead of navigating it.
  const doc = /<html[\s>]/i.test(html) ? html : `<!doctype html><html><head><meta charset="utf-8"><base target="_blank"></head><body>${html}</body></html>`;
  return <iframe className="preview-frame" title={title} sandbox="allow-popups allow-popups-to-escape-sandbox" srcDoc={doc} referrerPolicy="no-referrer" />;
}
