/** JSON with TrueNAS datetimes (`{"$date": ms}`) for the client side. */

/** How deep {@link plainJson} looks before it leaves the value to the replacer (which also reports cycles). */
const PLAIN_DEPTH = 64;

/**
 * True when `value` holds no `Date` and nothing else with a `toJSON` method (`Buffer`, …) down to
 * {@link PLAIN_DEPTH} levels, so plain `JSON.stringify` writes it as {@link encode} would. Walking
 * the value is several times cheaper than a replacer, which JSON.stringify calls for every key.
 */
function plainJson(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= PLAIN_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!plainJson(item, depth + 1)) return false;
    return true;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && !plainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/** JSON.stringify's replacer for {@link encode}: a `Date` (seen on its holder, `this[key]`, before its toJSON ran) becomes `{"$date": ms}`. */
function dateReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? { $date: raw.getTime() } : value;
}

/**
 * Serialises a message; `Date` values anywhere become `{"$date": ms}` (TrueNAS's wire form). The
 * daemon's replies use it too (daemon/rpc/wire.ts). Throws TypeError for BigInt or cycles.
 */
export function encode(message: unknown): string {
  return plainJson(message, 0) ? JSON.stringify(message) : JSON.stringify(message, dateReplacer);
}

/** Parses a message; with `reviveDates`, `{"$date": ms}` objects become `Date`. */
export function decode(text: string, reviveDates: boolean): unknown {
  if (!reviveDates) return JSON.parse(text);
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const ms = (value as { $date?: unknown }).$date;
      if (keys.length === 1 && keys[0] === '$date' && typeof ms === 'number') return new Date(ms);
    }
    return value;
  });
}
