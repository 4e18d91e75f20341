// Row identifiers: UUIDv7 (time-ordered), so new rows append to the primary-key B-tree instead of
// splitting pages all over it; generated with Web Crypto, so it runs on Node and Deno alike.
const HEX_BYTE = Array.from({ length: 256 }, (_, v) => v.toString(16).padStart(2, "0"));

let lastMs = 0;
let seq = 0;

/**
 * `count` ids from ONE random draw: a fan-out names 10,000 trades per candle, and a Web Crypto call
 * per id costs more than the ids are worth (~6 µs each).
 */
export function newIds(count: number, now = Date.now()): string[] {
  const random = new Uint8Array(16 * count);
  // Web Crypto fills at most 65,536 bytes per call.
  for (let at = 0; at < random.length; at += 65_536) crypto.getRandomValues(random.subarray(at, at + 65_536));
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    // Within one millisecond a 12-bit counter keeps ids from one process strictly increasing.
    if (now <= lastMs) {
      seq = (seq + 1) & 0xfff;
      if (seq === 0) lastMs += 1;
      now = lastMs;
    } else {
      lastMs = now;
      seq = random[16 * i] & 0x3ff;
    }
    const b = random.subarray(16 * i, 16 * i + 16);
    b[0] = now / 2 ** 40;
    b[1] = now / 2 ** 32;
    b[2] = now / 2 ** 24;
    b[3] = now / 2 ** 16;
    b[4] = now / 2 ** 8;
    b[5] = now;
    b[6] = 0x70 | (seq >> 8);
    b[7] = seq & 0xff;
    b[8] = (b[8] & 0x3f) | 0x80;
    let text = "";
    for (let k = 0; k < 16; k++)
      text += (k === 4 || k === 6 || k === 8 || k === 10 ? "-" : "") + HEX_BYTE[b[k]];
    ids[i] = text;
  }
  return ids;
}

export function newId(now = Date.now()): string {
  return newIds(1, now)[0];
}
