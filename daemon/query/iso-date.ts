/**
 * ISO-8601 timestamps as filter values for `<field>.$date` conditions (TrueNAS parses them with
 * Python's `datetime.fromisoformat`). A timestamp without an offset is taken as UTC, because every
 * `{"$date": ms}` on our wire is UTC.
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Parses `2024-05-01`, `2024-05-01T10:20`, `2024-05-01 10:20:30.123+02:00`, `…Z` into epoch ms.
 * @returns undefined when `s` is not such a string or names an impossible date (month 13, Feb 30 …).
 */
export function parseIsoTimestamp(s: string): number | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((x) => Number(x ?? '0'));
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const dt = new Date(0);
  dt.setUTCFullYear(year, month - 1, day);
  dt.setUTCHours(hour, minute, second, ms);
  if (dt.getUTCDate() !== day) return undefined;
  return dt.getTime() - offsetMinutes(m[8]) * 60_000;
}

function offsetMinutes(tz: string | undefined): number {
  if (!tz || tz === 'Z') return 0;
  const sign = tz[0] === '-' ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
}
