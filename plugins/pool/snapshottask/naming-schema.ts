/**
 * Naming schemas (`auto-%Y-%m-%d_%H-%M`): validation, snapshot names and parsing them back, with
 * zettarepl's semantics (`zettarepl/snapshot/name.py`):
 * - a name is `strftime(schema)` of the local time with `+` (from `%z`) written as `:`, because ZFS
 *   snapshot names cannot contain `+`;
 * - `%s` schemas use epoch seconds and no other placeholder;
 * - parsing yields the naive local time written in the name (the offset is kept separately).
 *
 * NOTE: the project reference (§4.4) describes the `+` replacement as `--`; zettarepl's code (every
 * version) uses `:` and says so in its error text, and TrueNAS-made snapshots carry `:`. We follow
 * the code so snapshots taken by TrueNAS keep parsing (and expiring) under vsnapd.
 */
import { FormatRegexError, strftime, strptime } from './strftime.js';
import { fixedOffsetWallTime, wallMsOf, wallTimeOf, type WallTime } from './wall-time.js';

/** A snapshot name read back with its schema. */
export interface ParsedSnapshotName {
  readonly name: string;
  readonly namingSchema: string;
  /** The naive local time in the name, as wall ms (see wall-time.ts). */
  readonly wallMs: number;
  /** The UTC offset written by `%z`, or null. */
  readonly offsetMinutes: number | null;
}

/** zettarepl `naming_schema_has_utcoffset`: a `%z` not preceded by `%`. */
export function hasUtcOffset(schema: string): boolean {
  return /(^|[^%])%z/.test(schema);
}

/** The snapshot name for local time `w` (zettarepl `get_snapshot_name`). */
export function formatSnapshotName(schema: string, w: WallTime): string {
  return strftime(schema, w).replace(/\+/g, ':');
}

/** The snapshot name for `instantMs` in `timeZone`. */
export function snapshotNameAt(schema: string, instantMs: number, timeZone: string): string {
  return formatSnapshotName(schema, wallTimeOf(instantMs, timeZone));
}

/**
 * Parses `name` with `schema` (zettarepl `parse_snapshot_name`). `%s` epoch seconds are turned into
 * local time in `timeZone`. Throws Error when the name does not match.
 */
export function parseSnapshotName(name: string, schema: string, timeZone: string): ParsedSnapshotName {
  if (schema.includes('%s')) {
    const [before = '', after = '', ...more] = schema.split('%s');
    if (more.length > 0) throw new Error("Invalid naming schema: redefinition of group name 's' as group 2; was group 1");
    const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    const m = new RegExp(`^${esc(before)}([0-9]+)${esc(after)}$`).exec(name);
    if (!m) throw new Error(`time data '${name}' does not match format '${schema}'`);
    const w = wallTimeOf(Number(m[1]) * 1000, timeZone);
    return { name, namingSchema: schema, wallMs: wallMsOf(w), offsetMinutes: null };
  }
  const utc = hasUtcOffset(schema);
  let parsed;
  try {
    parsed = strptime(utc ? name.replace(/:/g, '+') : name, schema);
  } catch (err) {
    if (err instanceof FormatRegexError) throw new Error(`Invalid naming schema: ${err.message}`);
    throw err;
  }
  const wallMs = Date.UTC(parsed.year, parsed.month - 1, parsed.day, parsed.hour, parsed.minute, parsed.second, Math.floor(parsed.microsecond / 1000));
  return { name, namingSchema: schema, wallMs, offsetMinutes: parsed.offsetMinutes };
}

/** Parses `name`, or returns null when it does not match the schema. */
export function tryParseSnapshotName(name: string, schema: string, timeZone: string): ParsedSnapshotName | null {
  try {
    return parseSnapshotName(name, schema, timeZone);
  } catch {
    return null;
  }
}

/**
 * Validates a naming schema; returns the error sentence (zettarepl `validate_snapshot_naming_schema`
 * texts) or null.
 */
export function namingSchemaProblem(schema: string): string | null {
  if (schema.includes('%%')) return '% is not an allowed character in ZFS snapshot name';
  const bad = schema.match(/[^0-9A-Za-z %_.:-]/g);
  if (bad) {
    return bad.length === 1
      ? `${bad[0]} is not an allowed character in ZFS snapshot name`
      : `${bad.join('')} are not allowed characters in ZFS snapshot name`;
  }
  if (schema.includes('%s')) {
    if (/%[^s]/.test(schema)) return 'No other placeholder can be used with %s in naming schema';
  } else {
    for (const s of ['%Y', '%m', '%d', '%H', '%M']) {
      if (!schema.includes(s)) return `${s} must be present in snapshot naming schema`;
    }
  }
  const utc = hasUtcOffset(schema);
  if (utc && schema.includes(':')) {
    return "%z and `:` can't be present in snapshot naming schema at the same time. ZFS snapshot names can't contain `+` so we use `:` instead.";
  }
  // Round trip 2000-02-29 19:40 at UTC+10 and UTC-10 (zettarepl uses Etc/GMT∓10).
  const naive = Date.UTC(2000, 1, 29, 19, 40);
  for (const offset of [600, -600]) {
    const w = fixedOffsetWallTime(naive, offset);
    // `%s` is local-time based on both sides (glibc mktime / fromtimestamp); UTC keeps it stable.
    const sample = schema.includes('%s') ? wallTimeOf(naive, 'UTC') : w;
    const formatted = formatSnapshotName(schema, sample);
    let parsed: ParsedSnapshotName;
    try {
      parsed = parseSnapshotName(formatted, schema, 'UTC');
    } catch (err) {
      return (err as Error).message;
    }
    const sameTime = parsed.wallMs === naive;
    if (!sameTime || (utc && parsed.offsetMinutes !== offset)) {
      const shown = new Date(parsed.wallMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
      return `Failed to parse datetime using provided format: datetime=2000-02-29 19:40:00${offset > 0 ? '+10:00' : '-10:00'}, formatted=${formatted}, parsed=${shown}`;
    }
  }
  return null;
}
