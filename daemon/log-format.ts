/**
 * How log records are written, chosen by where stdout goes:
 * - `journal`: stdout is systemd's journal stream (`$JOURNAL_STREAM` names its device:inode, as
 *   systemd.exec(5) sets it): one line per record, `<N>` syslog priority prefix (sd-daemon(3)), then
 *   the message and its fields as `key=value` (values JSON-encoded unless plain words), so journald
 *   files each line at its priority and `journalctl -p err` finds errors. No time or pid: journald
 *   records both.
 * - `text`: stdout is a terminal: `HH:MM:SS.mmm LEVEL message key=value …`.
 * - `json`: anything else (a pipe, a file, the tests): pino's JSON lines, unchanged.
 * Records are redacted before they are formatted (log.ts), so every format is free of secrets.
 */
import { fstatSync } from 'node:fs';
import type { DestinationStream } from 'pino';

/** A log output format. */
export type LogFormat = 'json' | 'journal' | 'text';

/** pino level number → syslog priority (sd-daemon(3): 2 crit, 3 err, 4 warning, 6 info, 7 debug). */
const PRIORITY: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };
/** pino level number → name shown on a terminal. */
const NAME: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** True when file descriptor `fd` is the stream `$JOURNAL_STREAM` (`<device>:<inode>`) names. */
export function isJournalStream(fd: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return st.dev === BigInt(m[1]!) && st.ino === BigInt(m[2]!);
  } catch {
    return false;
  }
}

/** The format for stdout: journal, terminal or JSON (see the module comment). */
export function detectLogFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  if (isJournalStream(1, env)) return 'journal';
  return process.stdout.isTTY ? 'text' : 'json';
}

/** `<N>` prefix of syslog priority for a pino level number (info for unknown levels). */
export function priorityPrefix(level: number): string {
  return `<${PRIORITY[level] ?? 6}>`;
}

/** `value` as it appears after `key=`: plain words as they are, anything else JSON (one line). */
function fieldValue(value: unknown): string {
  if (typeof value === 'string' && /^[\w.:/@+*-]+$/.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}

/** Formats one pino JSON line (without its newline) as `format`; a line that is not JSON passes through. */
export function formatRecord(line: string, format: Exclude<LogFormat, 'json'>): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, pid: _pid, msg, ...fields } = rec;
  const parts = [typeof msg === 'string' ? msg : ''];
  for (const [k, v] of Object.entries(fields)) parts.push(`${k}=${fieldValue(v)}`);
  const body = parts.join(' ');
  if (format === 'journal') return `${priorityPrefix(Number(level))}${body}`;
  const at = new Date(Number(time)).toISOString().slice(11, 23);
  return `${at} ${(NAME[Number(level)] ?? String(level)).padEnd(5)} ${body}`;
}

/** A pino destination that writes each record to `out` in `format`. */
export function formattingDestination(out: DestinationStream, format: Exclude<LogFormat, 'json'>): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line !== '') out.write(`${formatRecord(line, format)}\n`);
    },
  };
}
