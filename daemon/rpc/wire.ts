/**
 * Wire encoding: JSON with datetimes as `{"$date": <ms since epoch>}` (TrueNAS), and a cheap
 * pre-parse nesting check so a hostile frame of a million `[` is refused before it is built.
 */

/**
 * Serialises a message, `Date` values anywhere as `{"$date": ms}`: the client's encoder, shared so
 * both ends write dates the same way. Throws (TypeError) for values JSON cannot hold (BigInt,
 * cycles): the caller answers -32603.
 */
export { encode } from '../../client/wire.js';

/**
 * The deepest nesting of arrays/objects in JSON `text`, counted without parsing (strings and escapes
 * are skipped). Stops counting once `limit` is exceeded and returns `limit + 1`.
 */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return limit + 1;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return max;
}
