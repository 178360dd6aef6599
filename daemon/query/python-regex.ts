/**
 * Turns a Python `re` pattern (what TrueNAS's `~` operator takes) into a JavaScript RegExp with
 * `re.match` semantics: anchored at the start of the string, not at the end.
 *
 * Translated: named groups `(?P<name>…)` / `(?P=name)`, `\A` / `\Z`, a `]` first in a character
 * class, and leading global flags `(?i)`, `(?m)`, `(?s)` (`(?a)`/`(?u)` are accepted and ignored).
 * Not supported (a clear error instead of a silent mismatch): `(?x)` verbose and `(?L)` locale flags.
 */

/** Thrown for a pattern that cannot be used; `message` says why. */
export class PatternError extends Error {
  override readonly name = 'PatternError';
}

const LEADING_FLAGS = /^\(\?([aiLmsux]+)\)/;

/** Longest pattern accepted: filters come from clients and run on the daemon's only thread. */
export const MAX_PATTERN_LENGTH = 1024;

/**
 * Compiles `pattern` (Python syntax) to a sticky RegExp, so `re.lastIndex = 0; re.test(s)` is
 * `re.match(pattern, s)`.
 * @throws PatternError naming the problem (unsupported flag, or the JS engine's syntax error).
 */
export function compilePythonRegex(pattern: string): RegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PatternError(`pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  let flags = 'y';
  let src = pattern;
  const lead = LEADING_FLAGS.exec(src);
  if (lead) {
    for (const f of lead[1]) {
      if (f === 'x' || f === 'L') throw new PatternError(`the (?${f}) flag is not supported`);
      if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f;
    }
    src = src.slice(lead[0].length);
  }
  try {
    return new RegExp(translate(src), flags);
  } catch (e) {
    throw new PatternError(e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e));
  }
}

function translate(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\') {
      const next = src[i + 1] ?? '';
      if (!inClass && next === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && next === 'Z') out += '(?![\\s\\S])';
      else out += ch + next;
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
      // Python treats a `]` right after `[` or `[^` as a literal; JS would end the class there.
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
    } else if (ch === '(' && src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (ch === '(' && src.startsWith('(?P=', i)) {
      const end = src.indexOf(')', i);
      if (end < 0) throw new PatternError('unterminated (?P= group reference');
      out += `\\k<${src.slice(i + 4, end)}>`;
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}
