// HMAC-SHA256 (RFC 2104 over FIPS 180-4) for the short payloads of our tokens, in plain JS with
// the key's inner and outer pad blocks absorbed once per key.
//
// Why not `createHmac`: the send path signs four tokens per message (unsubscribe, click, open,
// VERP). Each createHmac builds a native object with a weak handle the GC must visit, re-hashes
// the key's two pad blocks and crosses into C++ three times: ~2.3 µs per token on the bench box.
// From the saved pad states a token payload (< 56 bytes) costs two compressions, ~0.9 µs. The
// output is byte for byte createHmac's (test/foundation/hmac-sha256.test.ts compares them over
// random keys and lengths). SHA-256 has no data-dependent branches or table lookups, so running it
// in JS adds no timing channel.
import { createHash } from 'node:crypto';

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const W = new Int32Array(64);

/** One SHA-256 compression of the 64 bytes of `buf` at `off` into the state `H`. */
function compress(H: Int32Array, buf: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = ((buf[j] as number) << 24) | ((buf[j + 1] as number) << 16) | ((buf[j + 2] as number) << 8) | (buf[j + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15] as number;
    const y = W[i - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  let a = H[0] as number, b = H[1] as number, c = H[2] as number, d = H[3] as number;
  let e = H[4] as number, f = H[5] as number, g = H[6] as number, h = H[7] as number;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (W[i] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  H[0] = ((H[0] as number) + a) | 0; H[1] = ((H[1] as number) + b) | 0; H[2] = ((H[2] as number) + c) | 0; H[3] = ((H[3] as number) + d) | 0;
  H[4] = ((H[4] as number) + e) | 0; H[5] = ((H[5] as number) + f) | 0; H[6] = ((H[6] as number) + g) | 0; H[7] = ((H[7] as number) + h) | 0;
}

function padState(key: Uint8Array, pad: number): Int32Array {
  const block = new Uint8Array(64).fill(pad);
  for (let i = 0; i < key.length; i++) block[i] = (key[i] as number) ^ pad;
  const H = Int32Array.from(IV);
  compress(H, block, 0);
  block.fill(0);
  return H;
}

/** Payloads above this go to createHmac's streaming code; tokens are a few dozen bytes. */
const MAX_MESSAGE = 1 << 20;

export class HmacSha256 {
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;
  private readonly state = new Int32Array(8);
  private readonly tail = new Uint8Array(128);

  constructor(key: Uint8Array) {
    // RFC 2104: a key longer than the block is replaced by its hash.
    const k = key.length > 64 ? createHash('sha256').update(key).digest() : key;
    this.inner = padState(k, 0x36);
    this.outer = padState(k, 0x5c);
  }

  /** HMAC-SHA256(key, message): 32 bytes. */
  digest(message: Uint8Array): Buffer {
    if (message.length > MAX_MESSAGE) throw new RangeError('HmacSha256 is for short messages');
    const H = this.state;
    const tail = this.tail;
    H.set(this.inner);
    const n = message.length;
    let off = 0;
    for (; off + 64 <= n; off += 64) compress(H, message, off);
    // Last partial block, 0x80, zeros, and the bit length of pad block + message (big-endian).
    tail.fill(0);
    const rest = n - off;
    for (let i = 0; i < rest; i++) tail[i] = message[off + i] as number;
    tail[rest] = 0x80;
    const end = rest + 9 <= 64 ? 64 : 128;
    const bits = (64 + n) * 8;
    tail[end - 5] = Math.floor(bits / 2 ** 32) & 0xff;
    tail[end - 4] = bits >>> 24;
    tail[end - 3] = (bits >>> 16) & 0xff;
    tail[end - 2] = (bits >>> 8) & 0xff;
    tail[end - 1] = bits & 0xff;
    compress(H, tail, 0);
    if (end === 128) compress(H, tail, 64);
    // Outer hash: pad block (saved) + the 32-byte inner digest: 96 bytes = 768 bits.
    tail.fill(0);
    for (let i = 0; i < 8; i++) {
      const v = H[i] as number;
      tail[i * 4] = v >>> 24;
      tail[i * 4 + 1] = (v >>> 16) & 0xff;
      tail[i * 4 + 2] = (v >>> 8) & 0xff;
      tail[i * 4 + 3] = v & 0xff;
    }
    tail[32] = 0x80;
    tail[62] = 0x03;
    H.set(this.outer);
    compress(H, tail, 0);
    const out = Buffer.allocUnsafe(32);
    for (let i = 0; i < 8; i++) out.writeInt32BE(H[i] as number, i * 4);
    return out;
  }
}
