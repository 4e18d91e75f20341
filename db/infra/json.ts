// Encodes values for the cache and the bus, refusing what JSON cannot carry.

/** JSON.stringify returns undefined for undefined and functions; refuse them instead of storing "undefined". */
export function encodeJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError("value is not JSON-serialisable");
  return text;
}
