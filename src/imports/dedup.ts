// In-file deduplication: remembers every address key seen so far as a 64-bit hash in an
// open-addressing table of two Uint32Arrays (8 bytes a slot, load ≤ 0.75: 11-21 bytes per
// address, no per-key objects), so 10M addresses cost ~130 MB where a Set<string> would take
// ~1 GB. A hash collision (odds ~n²/2⁶⁵: ~3 in a million at 10M addresses) would skip one row
// as a duplicate.

export class SeenAddresses {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialSlots = 1 << 16) {
    this.hi = new Uint32Array(initialSlots);
    this.lo = new Uint32Array(initialSlots);
    this.mask = initialSlots - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Records the key; returns true when it had been seen before. */
  seenBefore(key: string): boolean {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 = (h1 | 1) >>> 0; // never 0: 0 marks an empty slot
    h2 >>>= 0;
    let i = (h1 ^ Math.imul(h2, 0x27d4eb2d)) & this.mask;
    for (;;) {
      const a = this.hi[i] as number;
      if (a === 0) break;
      if (a === h1 && this.lo[i] === h2) return true;
      i = (i + 1) & this.mask;
    }
    this.hi[i] = h1;
    this.lo[i] = h2;
    if (++this.count * 4 > (this.mask + 1) * 3) this.grow();
    return false;
  }

  private grow(): void {
    const { hi, lo } = this;
    const slots = (this.mask + 1) * 2;
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.mask = slots - 1;
    for (let j = 0; j < hi.length; j++) {
      const a = hi[j] as number;
      if (a === 0) continue;
      const b = lo[j] as number;
      let i = (a ^ Math.imul(b, 0x27d4eb2d)) & this.mask;
      while (this.hi[i] !== 0) i = (i + 1) & this.mask;
      this.hi[i] = a;
      this.lo[i] = b;
    }
  }
}
