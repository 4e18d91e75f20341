// Six-digit codes sent by mail, and their keyed hashes (Web Crypto: Node and Deno alike). The store keeps only
// HMAC-SHA256(secret, id:code), so a copy of the store does not let anyone try the million codes offline.
const enc = new TextEncoder();

/** A uniformly random code of 6 digits (rejection sampling: no digit is likelier than another). */
export function newCode(): string {
  const limit = Math.floor(2 ** 32 / 1_000_000) * 1_000_000;
  const word = new Uint32Array(1);
  do crypto.getRandomValues(word);
  while (word[0] >= limit);
  return String(word[0] % 1_000_000).padStart(6, "0");
}

export async function hashCode(secret: string, id: string, code: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`${id}:${code}`)));
  return btoa(String.fromCharCode(...mac));
}

/** Compares two hashes in time that does not depend on where they differ. */
export function sameHash(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
