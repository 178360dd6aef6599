/**
 * Wire encoding: JSON with datetimes as `{"$date": <ms since epoch>}` (TrueNAS), and a cheap
 * pre-parse nesting check so a hostile frame of a million `[` is refused before it is built.
 */

/**
 * Serialises a message. `Date` values anywhere become `{"$date": ms}`: a replacer sees the original
 * value on its holder (`this[key]`) before `Date.prototype.toJSON` turned it into a string.
 * Throws (TypeError) for values JSON cannot hold (BigInt, cycles): the caller answers -32603.
 */
export function encode(message: unknown): string {
  return JSON.stringify(message, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.getTime() };
    return value;
  });
}

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
