// A streaming RFC 4180 CSV tokenizer with relaxed quoting, line numbers and a record-size cap.
// Why not csv-parse: it parses ~225k rows/s here, which alone would break the import floor
// (≥100k rows/s end to end, ≤3× a raw insert); this one takes the unquoted fast path with
// String#split and only walks characters for lines that contain a quote. The test suite checks
// it against csv-parse on generated input. Rules, in csv-parse terms: relax_quotes (a quote
// inside an unquoted field is literal), relax_column_count (the caller checks counts),
// skip_empty_lines; CRLF and LF both end records; quoted fields may hold newlines.

export interface CsvSink {
  /** A record and the line it starts on (1-based, counting physical lines). */
  record(fields: string[], line: number): void;
  /** A record that could not be read: over the size cap, or an unterminated quote at end of file. */
  broken(line: number, reason: 'row_too_large' | 'unterminated_quote'): void;
}

const NL = 10;
const CR = 13;
const QUOTE = 34;

interface Parsed {
  fields: string[];
  next: number;
  newlines: number;
  unterminated: boolean;
}

export class CsvTokenizer {
  private buf = '';
  private line = 1;
  private readonly delim: string;
  private readonly delimCode: number;
  // Skip mode: discarding an oversize record up to its end, still honouring quotes.
  private skipping = false;
  private skipInQuote = false;
  private skipAtFieldStart = true;
  private skipLine = 0;

  constructor(delimiter: string, private readonly maxRecordChars: number, private readonly sink: CsvSink) {
    this.delim = delimiter;
    this.delimCode = delimiter.charCodeAt(0);
  }

  push(text: string): void {
    this.buf = this.buf.length ? this.buf + text : text;
    this.drain(false);
  }

  end(): void {
    this.drain(true);
    if (this.skipping) {
      this.skipping = false;
      this.sink.broken(this.skipLine, 'row_too_large');
    }
  }

  private drain(final: boolean): void {
    const buf = this.buf;
    const n = buf.length;
    let p = 0;
    if (this.skipping) {
      p = this.skip(buf, 0);
      if (this.skipping) {
        this.buf = '';
        return;
      }
    }
    // Position of the next quote in the buffer, found once and reused: searching from every
    // line start would rescan the rest of the chunk per line when the file has no quotes.
    let q = -2;
    while (p < n) {
      const nl = buf.indexOf('\n', p);
      if (nl === -1 && !final) {
        if (n - p > this.maxRecordChars) this.startSkip(buf, p);
        else this.buf = buf.slice(p);
        return;
      }
      const lineEnd = nl === -1 ? n : nl;
      if (q !== -1 && q < p) q = buf.indexOf('"', p);
      if (q === -1 || q >= lineEnd) {
        // Fast path: no quote on this line.
        let end = lineEnd;
        if (end > p && buf.charCodeAt(end - 1) === CR) end--;
        if (lineEnd - p > this.maxRecordChars) this.sink.broken(this.line, 'row_too_large');
        else if (end > p) this.sink.record(buf.slice(p, end).split(this.delim), this.line);
        this.line++;
        p = lineEnd + 1;
        continue;
      }
      const r = this.parseQuoted(buf, p, final);
      if (r === null) {
        if (n - p > this.maxRecordChars) this.startSkip(buf, p);
        else this.buf = buf.slice(p);
        return;
      }
      if (r.next - p > this.maxRecordChars) this.sink.broken(this.line, 'row_too_large');
      else if (r.unterminated) this.sink.broken(this.line, 'unterminated_quote');
      else this.sink.record(r.fields, this.line);
      this.line += r.newlines + 1;
      p = r.next;
    }
    this.buf = '';
  }

  /** Parses one record that contains a quote; null when the buffer ends before the record does. */
  private parseQuoted(buf: string, p: number, final: boolean): Parsed | null {
    const n = buf.length;
    const delim = this.delimCode;
    const fields: string[] = [];
    let newlines = 0;
    let i = p;
    let nl = buf.indexOf('\n', i);
    if (nl === -1) nl = n;
    for (;;) {
      let val: string;
      if (i < n && buf.charCodeAt(i) === QUOTE) {
        val = '';
        let j = i + 1;
        for (;;) {
          const k = buf.indexOf('"', j);
          if (k === -1) {
            if (!final) return null;
            return { fields, next: n, newlines: newlines + countNl(buf, j, n), unterminated: true };
          }
          newlines += countNl(buf, j, k);
          val += buf.slice(j, k);
          if (k + 1 >= n && !final) return null; // is it "" or the closing quote? need the next char
          if (buf.charCodeAt(k + 1) === QUOTE) {
            val += '"';
            j = k + 2;
            continue;
          }
          j = k + 1;
          break;
        }
        // Relaxed: text after the closing quote up to the delimiter is kept literally.
        if (j > nl) {
          nl = buf.indexOf('\n', j);
          if (nl === -1) nl = n;
        }
        let e = j;
        while (e < nl && buf.charCodeAt(e) !== delim) e++;
        if (e === n && !final) return null;
        let tailEnd = e;
        if (e === nl && tailEnd > j && buf.charCodeAt(tailEnd - 1) === CR) tailEnd--;
        if (tailEnd > j) val += buf.slice(j, tailEnd);
        i = e;
      } else {
        if (i > nl) {
          nl = buf.indexOf('\n', i);
          if (nl === -1) nl = n;
        }
        let e = buf.indexOf(this.delim, i);
        if (e === -1 || e > nl) e = nl;
        if (e === n && !final) return null;
        let end = e;
        if (e === nl && end > i && buf.charCodeAt(end - 1) === CR) end--;
        val = buf.slice(i, end);
        i = e;
      }
      fields.push(val);
      if (i >= n) return { fields, next: n, newlines, unterminated: false };
      if (buf.charCodeAt(i) === delim) {
        i++;
        continue;
      }
      return { fields, next: i + 1, newlines, unterminated: false }; // at '\n'
    }
  }

  private startSkip(buf: string, p: number): void {
    this.skipping = true;
    this.skipInQuote = false;
    this.skipAtFieldStart = true;
    this.skipLine = this.line;
    const q = this.skip(buf, p);
    this.buf = this.skipping ? '' : buf.slice(q);
    if (!this.skipping) this.drainRest();
  }

  private drainRest(): void {
    const rest = this.buf;
    this.buf = '';
    if (rest.length) this.push(rest);
  }

  /** Discards characters of an oversize record; returns the index after its end (or n). */
  private skip(buf: string, from: number): number {
    const n = buf.length;
    for (let i = from; i < n; i++) {
      const c = buf.charCodeAt(i);
      if (c === NL) this.line++;
      if (this.skipInQuote) {
        if (c === QUOTE) {
          if (i + 1 < n && buf.charCodeAt(i + 1) === QUOTE) i++;
          else this.skipInQuote = false;
        }
        continue;
      }
      if (c === QUOTE && this.skipAtFieldStart) this.skipInQuote = true;
      this.skipAtFieldStart = c === this.delimCode;
      if (c === NL) {
        this.skipping = false;
        this.sink.broken(this.skipLine, 'row_too_large');
        return i + 1;
      }
    }
    return n;
  }
}

function countNl(s: string, from: number, to: number): number {
  let c = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) c++;
  return c;
}

/** Picks the delimiter from the header line: the most frequent of , ; tab | outside quotes. */
export function sniffDelimiter(text: string): string {
  const end = text.indexOf('\n');
  const head = end === -1 ? text : text.slice(0, end);
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0], ['|', 0]]);
  let inQuote = false;
  for (const ch of head) {
    if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount) [best, bestCount] = [d, c];
  return best;
}
