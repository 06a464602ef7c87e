// A cheap "keyboard mash" score for the local part (0 = word-like, 1 = random): bots and
// fake sign-ups produce strings like xkqzjwpl or a8f3k2j9d. A risk signal, never a verdict.
// One pass over char codes, no allocation: it runs on every address in bulk.

// a e i o u y
const VOWEL_MASK = (1 << 0) | (1 << 4) | (1 << 8) | (1 << 14) | (1 << 20) | (1 << 24);

export function gibberishScore(local: string): number {
  let len = 0, letters = 0, vowels = 0, run = 0, maxRun = 0, switches = 0, lastKind = 0;
  let seenLetters = 0, seenDigits = 0, distinct = 0;
  for (let i = 0; i < local.length; i++) {
    let c = local.charCodeAt(i);
    if (c === 43) break; // '+tag' is the sender's own label
    if (c === 46 || c === 95 || c === 45) continue; // . _ -
    len++;
    if (c >= 65 && c <= 90) c += 32;
    let kind = 0;
    if (c >= 48 && c <= 57) {
      kind = 2;
      run = 0;
      const bit = 1 << (c - 48);
      if (!(seenDigits & bit)) { seenDigits |= bit; distinct++; }
    } else if (c >= 97 && c <= 122) {
      kind = 1;
      letters++;
      const bit = 1 << (c - 97);
      if (!(seenLetters & bit)) { seenLetters |= bit; distinct++; }
      if (VOWEL_MASK & bit) { vowels++; run = 0; } else if (++run > maxRun) maxRun = run;
    } else {
      run = 0;
      distinct++;
    }
    if (kind !== 0 && lastKind !== 0 && kind !== lastKind) switches++;
    lastKind = kind;
  }
  if (len < 8) return 0;
  let score = 0;
  if (letters >= 6 && vowels / letters < 0.2) score += 0.5;
  if (maxRun >= 5) score += 0.3;
  if (switches >= 4 && switches / len > 0.35) score += 0.5;
  if (letters > 0 && len >= 12 && distinct / len > 0.9) score += 0.2;
  return Math.min(1, score);
}
