// A cheap "keyboard mash" score for the local part (0 = word-like, 1 = random): bots and
// fake sign-ups produce strings like xkqzjwpl or a8f3k2j9d. A risk signal, never a verdict.

const VOWELS = new Set('aeiouy'.split(''));

export function gibberishScore(local: string): number {
  const base = local.toLowerCase().split('+')[0]!.replace(/[._-]/g, '');
  if (base.length < 8) return 0;
  let letters = 0, vowels = 0, run = 0, maxRun = 0, switches = 0;
  let lastKind = 0; // 1 letter, 2 digit
  for (const ch of base) {
    const isDigit = ch >= '0' && ch <= '9';
    const isLetter = !isDigit && ch >= 'a' && ch <= 'z';
    const kind = isDigit ? 2 : isLetter ? 1 : 0;
    if (kind !== 0 && lastKind !== 0 && kind !== lastKind) switches++;
    lastKind = kind;
    if (isDigit) { run = 0; continue; }
    if (!isLetter) { run = 0; continue; }
    letters++;
    if (VOWELS.has(ch)) { vowels++; run = 0; } else if (++run > maxRun) maxRun = run;
  }
  let score = 0;
  if (letters >= 6 && vowels / letters < 0.2) score += 0.5;
  if (maxRun >= 5) score += 0.3;
  if (switches >= 4 && switches / base.length > 0.35) score += 0.5;
  if (letters > 0 && new Set(base).size / base.length > 0.9 && base.length >= 12) score += 0.2;
  return Math.min(1, score);
}
