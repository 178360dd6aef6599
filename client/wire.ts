/** JSON with TrueNAS datetimes (`{"$date": ms}`) for the client side. */

/**
 * Serialises a message; `Date` values anywhere become `{"$date": ms}` (a replacer sees the original
 * value on its holder, `this[key]`, before `Date.prototype.toJSON` turned it into a string). The
 * daemon's replies use it too (daemon/rpc/wire.ts). Throws TypeError for BigInt or cycles.
 */
export function encode(message: unknown): string {
  return JSON.stringify(message, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.getTime() } : value;
  });
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
