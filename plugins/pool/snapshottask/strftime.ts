/**
 * The subset of Python's `strftime`/`strptime` (C locale) that naming schemas use, so vsnapd names
 * and parses snapshots exactly as TrueNAS/zettarepl do. Supported directives: `%Y %y %m %d %H %I %p
 * %M %S %f %j %a %A %b %B %w %u %z` (and `%s`, `%%` when formatting). Like glibc, formatting leaves an
 * unknown directive as is; like Python, parsing rejects it ("'e' is a bad directive in format …").
 */
import type { CalendarFields, WallTime } from './wall-time.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Day of the year, 1–366. */
function dayOfYear(w: Pick<WallTime, 'year' | 'month' | 'day'>): number {
  return Math.round((Date.UTC(w.year, w.month - 1, w.day) - Date.UTC(w.year, 0, 1)) / 86_400_000) + 1;
}

/** `+HHMM` / `-HHMM` for an offset in minutes. */
function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`;
}

/** Formats `w` with a strftime format (C locale). */
export function strftime(format: string, w: WallTime): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== '%' || i === format.length - 1) {
      out += ch;
      continue;
    }
    const d = format[++i] ?? '';
    const monday0 = (w.weekday + 6) % 7;
    switch (d) {
      case 'Y': out += String(w.year); break;
      case 'y': out += pad(w.year % 100, 2); break;
      case 'm': out += pad(w.month, 2); break;
      case 'd': out += pad(w.day, 2); break;
      case 'H': out += pad(w.hour, 2); break;
      case 'I': out += pad(w.hour % 12 === 0 ? 12 : w.hour % 12, 2); break;
      case 'p': out += w.hour < 12 ? 'AM' : 'PM'; break;
      case 'M': out += pad(w.minute, 2); break;
      case 'S': out += pad(w.second, 2); break;
      case 'f': out += pad(w.millisecond * 1000, 6); break;
      case 'j': out += pad(dayOfYear(w), 3); break;
      case 'a': out += (WEEKDAYS[monday0] ?? '').slice(0, 3); break;
      case 'A': out += WEEKDAYS[monday0] ?? ''; break;
      case 'b': out += (MONTHS[w.month - 1] ?? '').slice(0, 3); break;
      case 'B': out += MONTHS[w.month - 1] ?? ''; break;
      case 'w': out += String(w.weekday); break;
      case 'u': out += String(monday0 + 1); break;
      case 'z': out += formatOffset(w.offsetMinutes); break;
      case 's': out += String(w.epochSeconds); break;
      case '%': out += '%'; break;
      default: out += `%${d}`;
    }
  }
  return out;
}

/** A naive date/time read by {@link strptime}, with the UTC offset when the format had `%z`. */
export interface ParsedTime extends CalendarFields {
  readonly microsecond: number;
  readonly offsetMinutes: number | null;
}

/** The format itself cannot be compiled (Python raises `re.error`). */
export class FormatRegexError extends Error {
  override readonly name = 'FormatRegexError';
}

const names = (list: string[], abbreviated: boolean): string =>
  list.map((n) => (abbreviated ? n.slice(0, 3) : n).toLowerCase()).sort((a, b) => b.length - a.length).join('|');

/** Python `_strptime` TimeRE patterns (C locale). */
const PATTERNS: Record<string, string> = {
  d: '3[01]|[12]\\d|0[1-9]|[1-9]| [1-9]',
  f: '[0-9]{1,6}',
  H: '2[0-3]|[0-1]\\d|\\d',
  I: '1[0-2]|0[1-9]|[1-9]',
  j: '36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9]',
  m: '1[0-2]|0[1-9]|[1-9]',
  M: '[0-5]\\d|\\d',
  S: '6[0-1]|[0-5]\\d|\\d',
  w: '[0-6]',
  u: '[1-7]',
  y: '\\d\\d',
  Y: '\\d\\d\\d\\d',
  z: '[+-]\\d\\d:?[0-5]\\d(?::?[0-5]\\d(?:\\.\\d{1,6})?)?|Z',
  a: names(WEEKDAYS, true),
  A: names(WEEKDAYS, false),
  b: names(MONTHS, true),
  B: names(MONTHS, false),
  p: 'am|pm',
};

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Compiles a strptime format to a regex with one named group per directive. */
function compile(format: string): { regex: RegExp; order: string[] } {
  let source = '';
  const order: string[] = [];
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] ?? '';
    if (ch === '%') {
      const d = format[i + 1];
      if (d === undefined) throw new Error(`stray % in format '${format}'`);
      i++;
      if (d === '%') {
        source += '%';
        continue;
      }
      const pattern = PATTERNS[d];
      if (pattern === undefined) throw new Error(`'${d}' is a bad directive in format '${format}'`);
      if (order.includes(d)) {
        throw new FormatRegexError(`redefinition of group name '${d}' as group ${order.length + 1}; was group ${order.indexOf(d) + 1}`);
      }
      order.push(d);
      source += `(?<${d}>${pattern})`;
    } else if (/\s/.test(ch)) {
      while (/\s/.test(format[i + 1] ?? '')) i++;
      source += '\\s+';
    } else {
      source += escapeRegex(ch);
    }
  }
  return { regex: new RegExp(`^(?:${source})`, 'i'), order };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Reads `+HHMM`, `+HH:MM` or `Z` as minutes east of UTC. */
function parseOffset(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const digits = text.slice(1).replace(/:/g, '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
  return text.startsWith('-') ? -minutes : minutes;
}

/** `T` with its fields writable, while {@link strptime} fills them in. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What {@link strptime} returns for a field its format has no directive for: 1900-01-01 00:00:00.000000, naive (as Python). */
const UNPARSED: ParsedTime = { year: 1900, month: 1, day: 1, hour: 0, minute: 0, second: 0, microsecond: 0, offsetMinutes: null };

/**
 * Parses `text` with a strptime `format` (Python semantics: whole-string match, case-insensitive,
 * 1900-01-01 defaults, `%y` 69–99 → 19xx). Throws Error with Python's messages on mismatch.
 */
export function strptime(text: string, format: string): ParsedTime {
  const { regex, order } = compile(format);
  const m = regex.exec(text);
  if (!m) throw new Error(`time data '${text}' does not match format '${format}'`);
  if (m[0].length !== text.length) throw new Error(`unconverted data remains: ${text.slice(m[0].length)}`);
  const g = m.groups ?? {};
  const t: Mutable<ParsedTime> = { ...UNPARSED };
  let julian: number | null = null;
  for (const d of order) {
    const v = g[d] ?? '';
    switch (d) {
      case 'y': { const y = Number(v); t.year = y <= 68 ? y + 2000 : y + 1900; break; }
      case 'Y': t.year = Number(v); break;
      case 'm': t.month = Number(v); break;
      case 'b': t.month = MONTHS.findIndex((n) => n.slice(0, 3).toLowerCase() === v.toLowerCase()) + 1; break;
      case 'B': t.month = MONTHS.findIndex((n) => n.toLowerCase() === v.toLowerCase()) + 1; break;
      case 'd': t.day = Number(v); break;
      case 'H': t.hour = Number(v); break;
      case 'I': {
        const ampm = (g.p ?? '').toLowerCase();
        t.hour = Number(v);
        if (ampm === 'pm') { if (t.hour !== 12) t.hour += 12; } else if (t.hour === 12) t.hour = 0;
        break;
      }
      case 'M': t.minute = Number(v); break;
      case 'S': t.second = Number(v); break;
      case 'f': t.microsecond = Number(v.padEnd(6, '0')); break;
      case 'z': t.offsetMinutes = parseOffset(v); break;
      case 'j': julian = Number(v); break;
      default: break; // %a %A %w %u %p carry no date information of their own
    }
  }
  if (julian !== null && !order.includes('m') && !order.includes('b') && !order.includes('B') && !order.includes('d')) {
    const d = new Date(Date.UTC(t.year, 0, julian));
    t.month = d.getUTCMonth() + 1;
    t.day = d.getUTCDate();
  }
  if (t.day > daysInMonth(t.year, t.month)) throw new Error('day is out of range for month');
  if (t.second > 59) throw new Error('second must be in 0..59');
  return t;
}
