/**
 * Datetimes on the wire. TrueNAS's JSON encoder sends every `datetime` as `{"$date": <ms since the
 * Unix epoch, UTC>}` (its Mongo-style extended JSON), and clients send them back the same way; every
 * vsnapd plugin uses these helpers so the shape is produced in one place.
 */
import { z } from 'zod';

/** A datetime as it travels over JSON-RPC: milliseconds since 1970-01-01T00:00:00Z. */
export interface WireDate {
  $date: number;
}

/** zod schema of {@link WireDate}, for result/entry schemas (`{"$date": <integer ms>}`). */
export const WireDateSchema = z
  .strictObject({ $date: z.number().int().describe('Milliseconds since the Unix epoch (UTC)') })
  .describe('A datetime as TrueNAS sends it: {"$date": ms since the epoch}');

/**
 * `Date` or epoch milliseconds → `{"$date": ms}`.
 * @throws RangeError when the date is invalid (NaN), so a broken timestamp never reaches a client.
 */
export function toWireDate(d: Date | number): WireDate {
  const ms = typeof d === 'number' ? d : d.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`toWireDate: invalid date (${String(d)})`);
  return { $date: Math.trunc(ms) };
}

/** True when `v` is a `{"$date": ms}` object (exactly that one numeric key). */
export function isWireDate(v: unknown): v is WireDate {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === '$date' && typeof (v as WireDate).$date === 'number';
}

/**
 * `{"$date": ms}` (or epoch ms, or a `Date`) → `Date`.
 * @throws RangeError when `v` is none of these or holds no finite number.
 */
export function fromWireDate(v: WireDate | Date | number): Date {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : isWireDate(v) ? v.$date : NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`fromWireDate: not a {"$date": ms} value (${JSON.stringify(v)})`);
  return new Date(ms);
}
