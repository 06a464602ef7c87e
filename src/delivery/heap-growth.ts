// The V8 heap policy of a process that runs the send loop: the old generation may grow to 1.5×
// what the last major GC left alive before the next one. It stops at the flag; `postlane start` applies it.
import v8 from 'node:v8';

/** V8's heap growing factor becomes 1 + percent / 100. */
export const SEND_LOOP_HEAP_GROWING_PERCENT = 50;

/*
 * Why: the send loop allocates ~200 KB per message (render, link rewriting, MIME, DKIM input) and
 * its 64 messages in flight outlive scavenges, so ~14 MB/s of short-lived strings reach the old
 * generation. V8 sets the next major GC at live × a growing factor of up to 4 when the heap limit
 * is large (≥ 2 GB: any 64-bit box with a few GB of RAM): with 37–46 MB live, a worker collected
 * at 160–197 MB of heap and peaked at 330–345 MB RSS (100k–1M recipients), over the 300 MB floor,
 * though nothing leaked. At 1.5× it collects every ~1.3 s instead of every ~10 s (31 instead of
 * 6–10 major GCs per 100k messages, 0.4 s instead of 0.15 s of main-thread GC pauses) and peaks at
 * ~200 MB; the CPU cost was below the bench's noise (100k: 537 vs 556 µs/msg, V8's helper threads
 * 4 × 7 µs/msg either way; docs/delivery.md, "Worker memory").
 * Not --max-old-space-size, which lowers V8's factor too: it is also a hard limit (a heap that
 * needs more crashes the process) and only works on node's command line, which the operator
 * owns. heap_growing_percent is read at every major GC, so the process can set it for itself.
 */
export function limitHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${SEND_LOOP_HEAP_GROWING_PERCENT}`);
}
