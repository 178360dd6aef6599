/** Display helpers: dates, durations, schedules in words, API errors by field. */
import { RpcError, type WireDate } from './rpc.js';

/** `{"$date": ms}` (or ms, or null) → local "YYYY-MM-DD HH:MM:SS"; "—" for none. */
export function when(d: WireDate | number | null | undefined): string {
  if (d === null || d === undefined) return '—';
  const ms = typeof d === 'number' ? d : d.$date;
  const t = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
}

/** Milliseconds → "850 ms", "4.2 s", "3 min 5 s"; "—" for null. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A task schedule (TrueNAS cron fields plus begin/end window). */
export interface Schedule {
  minute: string;
  hour: string;
  dom: string;
  month: string;
  dow: string;
  begin: string;
  end: string;
}

function names(field: string, table: string[]): string {
  return field
    .split(',')
    .map((part) => part.replace(/\d+/g, (n) => table[Number(n)] ?? n).replace('-', '–'))
    .join(', ');
}

/** The schedule in words, e.g. "At 00:00, every day" or "Every 15 minutes, Monday–Friday, between 08:00 and 18:00". */
export function scheduleWords(s: Schedule): string {
  const num = /^\d+$/;
  let time: string;
  if (num.test(s.minute) && num.test(s.hour)) time = `At ${s.hour.padStart(2, '0')}:${s.minute.padStart(2, '0')}`;
  else if (num.test(s.minute) && s.hour === '*') time = `Every hour at minute ${s.minute}`;
  else if (/^\*\/\d+$/.test(s.minute) && s.hour === '*') time = `Every ${s.minute.slice(2)} minutes`;
  else if (s.minute === '*' && s.hour === '*') time = 'Every minute';
  else time = `At minute ${s.minute} of hour ${s.hour}`;
  const days: string[] = [];
  if (s.dom !== '*') days.push(`on day ${s.dom} of the month`);
  if (s.dow !== '*') days.push(`on ${names(s.dow, DAYS)}`);
  if (s.month !== '*') days.push(`in ${names(s.month, MONTHS)}`);
  const window = s.begin !== '00:00' || s.end !== '23:59' ? `, between ${s.begin} and ${s.end}` : '';
  return `${time}, ${days.length ? days.join(' ') : 'every day'}${window}`;
}

/** Errors of a failed call, split into the form fields they name and the rest. */
export interface FormErrors {
  /** Field path without the argument name (`hostname`, `schedule.minute`) → messages. */
  fields: Record<string, string>;
  /** What belongs to no field. */
  general: string | null;
}

/**
 * Maps a call error to form fields: a -32602 error's `extra` rows `[arg.field.sub, message]` go to
 * `field.sub`; rows naming only the argument, and other errors, are general. Socket errors of
 * vCenter (ETIMEDOUT, ECONNREFUSED, EHOSTUNREACH, ENOTFOUND) read "Cannot reach <host>…".
 */
export function formErrors(err: unknown, host?: string): FormErrors {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  if (err instanceof RpcError && err.extra.length > 0) {
    for (const [path, message] of err.extra) {
      const dot = path.indexOf('.');
      if (dot < 0) general.push(message);
      else {
        const field = path.slice(dot + 1);
        fields[field] = fields[field] ? `${fields[field]}; ${message}` : message;
      }
    }
  } else general.push(describe(err, host));
  return { fields, general: general.length ? general.join('; ') : null };
}

/** One line for an error, with TrueNAS's "cannot reach" wording for network failures. */
export function describe(err: unknown, host?: string): string {
  if (err instanceof RpcError && err.errname && ['ETIMEDOUT', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND'].includes(err.errname)) {
    const why = err.errname === 'ETIMEDOUT' ? 'it did not answer in time' : err.message;
    return `Cannot reach ${host ?? 'the server'}: ${why}. Check the host name, the port and the firewall between this NAS and vCenter.`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** A span of time in ms, coarse: "45 s", "12 min", "3 h 5 min", "2 d 4 h"; "—" for null. */
export function span(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** What the API returns instead of a stored secret; sending it back keeps the secret (alertservice, mail, vmware). */
export const MASKED = '********';
