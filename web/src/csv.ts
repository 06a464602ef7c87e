// Reads the header and first rows of a CSV file in the browser, for the import wizard's mapping
// preview. The server parses the whole file itself; this only has to be right for a preview.
export function detectDelimiter(line: string): string {
  const counts = [',', ';', '\t', '|'].map((d) => [d, line.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]?.[0] ?? ',';
}

/** RFC 4180-style parsing of at most `maxRows` records (quotes, doubled quotes, CRLF). */
export function parseCsv(text: string, delimiter: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === delimiter) { row.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); cell = '';
      if (row.some((c) => c !== '')) rows.push(row);
      row = [];
    } else cell += ch;
  }
  if ((cell !== '' || row.length) && rows.length < maxRows) { row.push(cell); rows.push(row); }
  return rows;
}

/** The target the server would guess for a header (src/imports mapping names). */
export function guessTarget(header: string): string {
  const h = header.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (/^(e_?mail|email_address|mail)$/.test(h)) return 'email';
  if (/^(first_?name|firstname|given_name|vorname)$/.test(h)) return 'first_name';
  if (/^(last_?name|lastname|surname|family_name|nachname)$/.test(h)) return 'last_name';
  if (/^(external_id|id|customer_id)$/.test(h)) return 'external_id';
  if (/^(timezone|time_zone|tz)$/.test(h)) return 'timezone';
  return `attribute:${h.replace(/[^A-Za-z0-9_]/g, '_') || 'column'}`;
}
