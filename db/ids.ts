// Row identifiers: UUIDv7 (time-ordered), so new rows append to the primary-key B-tree instead of
// splitting pages all over it; generated with Web Crypto, so it runs on Node and Deno alike.
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

let lastMs = 0;
let seq = 0;

export function newId(now = Date.now()): string {
  // Within one millisecond a 12-bit counter keeps ids from one process strictly increasing.
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs += 1;
    now = lastMs;
  } else {
    lastMs = now;
    seq = crypto.getRandomValues(new Uint16Array(1))[0] & 0x3ff;
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] = now / 2 ** 40;
  b[1] = now / 2 ** 32;
  b[2] = now / 2 ** 24;
  b[3] = now / 2 ** 16;
  b[4] = now / 2 ** 8;
  b[5] = now;
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
