/**
 * midclt's command line as TrueNAS's midclt takes it: `-jp` (a two-letter short option node's
 * parseArgs cannot declare), JSON arguments, and `-K` given a key or the absolute path of a file
 * holding one (a bare key, or JSON `{"raw_key": …}` as TrueNAS writes key files).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';

/** A command-line mistake: exit code 2, printed with the usage unless `showUsage` is false. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

/** Rewrites TrueNAS's `-jp X` / `-jpX` into `--job-print X` for parseArgs. */
export function normaliseArgv(argv: readonly string[]): string[] {
  return argv.flatMap((a) => (a === '-jp' ? ['--job-print'] : a.startsWith('-jp') && !a.startsWith('-jp=') ? ['--job-print', a.slice(3)] : [a]));
}

/** Text that a user meant as JSON: an object, an array or a quoted string. */
function looksLikeJson(text: string): boolean {
  return /^\s*[[{"]/.test(text);
}

/**
 * Parses argument number `n` (1-based, for messages): JSON when it parses, else the plain string —
 * unless it looks like JSON (`{…`, `[…`, `"…`), which is a UsageError saying where it breaks. `-`
 * reads stdin (one trailing newline dropped when it is plain text).
 */
export function parseArgument(arg: string, n: number, stdin: () => string): unknown {
  const text = arg === '-' ? stdin() : arg;
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!looksLikeJson(text)) return arg === '-' ? text.replace(/\r?\n$/, '') : text;
    const at = /position (\d+)/.exec((err as Error).message);
    const pos = at ? Number(at[1]) : text.length;
    const from = Math.max(0, pos - 20);
    const excerpt = `${from > 0 ? '…' : ''}${text.slice(from, pos + 20)}`;
    const caret = `${' '.repeat(pos - from + (from > 0 ? 1 : 0))}^`;
    throw new UsageError(
      `argument ${n}${arg === '-' ? ' (stdin)' : ''} looks like JSON but is not valid JSON at character ${pos + 1}: ${(err as Error).message}\n  ${excerpt}\n  ${caret}\n` +
        `(quote it for the shell as one word; to pass a plain string that starts with { or [, write it as a JSON string: '"…"')`,
      false,
    );
  }
}

/** The API key of `-K`: the value itself, or the key read from the absolute path it names. Throws UsageError. */
export function readApiKey(value: string): string {
  if (!isAbsolute(value)) return value.trim();
  let text: string;
  try {
    text = readFileSync(value, 'utf8').trim();
  } catch (err) {
    throw new UsageError(`-K: cannot read key file ${value} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!text.startsWith('{')) return text;
  try {
    const raw = (JSON.parse(text) as { raw_key?: unknown }).raw_key;
    if (typeof raw === 'string') return raw;
  } catch {
    /* reported below */
  }
  throw new UsageError(`-K: key file ${value} holds JSON without a "raw_key" string`);
}
