/**
 * Compiles a Python `re` pattern (what TrueNAS's `~` operator takes) for `re.match` semantics:
 * anchored at the start of the string, not at the end.
 *
 * Matching runs on RE2 (re2js, linear time in the subject's length), not on JavaScript's
 * backtracking engine: a filter such as `["name", "~", "(a+)+$"]` against a 30-character name made a
 * backtracking engine spin for hours and froze the whole daemon. RE2 reads Python's syntax natively
 * (named groups `(?P<name>…)`, `\A`, a `]` first in a character class, inline `(?i)`/`(?m)`/`(?s)`);
 * `\Z` is translated to RE2's `\z`, and `(?a)`/`(?u)` are accepted and ignored.
 * Not supported (a clear error instead of a silent mismatch): backreferences (`(?P=name)`, `\1`)
 * and lookarounds, which need backtracking, and the `(?x)` verbose and `(?L)` locale flags.
 */
import { RE2JS } from 're2js';

/** Thrown for a pattern that cannot be used; `message` says why. */
export class PatternError extends Error {
  override readonly name = 'PatternError';
}

const LEADING_FLAGS = /^\(\?([aiLmsux]+)\)/;

/** Longest pattern accepted: filters come from clients and run on the daemon's only thread. */
export const MAX_PATTERN_LENGTH = 1024;

/** A compiled pattern. */
export class PythonPattern {
  readonly #re: RE2JS;
  /** The pattern as the client sent it. */
  readonly source: string;

  constructor(source: string, re: RE2JS) {
    this.source = source;
    this.#re = re;
  }

  /** `re.match(pattern, s)`: true when the pattern matches at the start of `s` (in linear time). */
  test(s: string): boolean {
    return this.#re.matcher(s).lookingAt();
  }
}

/**
 * Compiles `pattern` (Python syntax).
 * @throws PatternError naming the problem (too long, unsupported flag or construct, syntax error).
 */
export function compilePythonRegex(pattern: string): PythonPattern {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PatternError(`pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  let flags = 0;
  let src = pattern;
  const lead = LEADING_FLAGS.exec(src);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'x' || f === 'L') throw new PatternError(`the (?${f}) flag is not supported`);
      if (f === 'i') flags |= RE2JS.CASE_INSENSITIVE;
      if (f === 'm') flags |= RE2JS.MULTILINE;
      if (f === 's') flags |= RE2JS.DOTALL;
    }
    src = src.slice(lead[0].length);
  }
  const translated = translate(src);
  try {
    return new PythonPattern(pattern, RE2JS.compile(translated, flags));
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
    throw new PatternError(/\\[1-9]|\(\?[=!<]/.test(src) ? `${why} (backreferences and lookarounds are not supported: filters are matched in linear time)` : why);
  }
}

/** Python → RE2 differences outside character classes: `\Z` is RE2's `\z`; `(?P=name)` is refused. */
function translate(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\') {
      const next = src[i + 1] ?? '';
      out += !inClass && next === 'Z' ? '\\z' : ch + next;
      i++;
    } else if (inClass) {
      if (ch === ']' && !(src[i - 1] === '[' || (src[i - 1] === '^' && src[i - 2] === '['))) inClass = false;
      out += ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
    } else if (ch === '(' && src.startsWith('(?P=', i)) {
      throw new PatternError('backreferences such as (?P=name) are not supported: filters are matched in linear time');
    } else {
      out += ch;
    }
  }
  return out;
}
