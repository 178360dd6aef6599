/**
 * How the demo talks to the person watching it: numbered step headers, the exact commands it runs
 * (`$ midclt call …`), their output indented under them, notes, ✓/✗ checks. Colours only when stdout
 * is a terminal (and NO_COLOR is unset), so piped output and the demo test see plain text.
 */

const useColour = process.stdout.isTTY === true && !process.env.NO_COLOR;

const paint = (code: string) => (text: string) => (useColour ? `\x1b[${code}m${text}\x1b[0m` : text);

/** Width output lines are wrapped to (the terminal's, else 110 columns). */
const WIDTH = Math.max(60, Math.min(process.stdout.columns ?? 110, 140)) - 6;

/** ANSI styles (identity functions when colours are off). */
export const style = {
  bold: paint('1'),
  dim: paint('2'),
  red: paint('31'),
  green: paint('32'),
  yellow: paint('33'),
  cyan: paint('36'),
};

/** Steps count from 0 (the machine check). */
let stepNumber = -1;

// A reader that goes away (`npm run demo | head`) must not crash the demo before its teardown:
// after EPIPE the output is dropped and the run continues to its normal end.
let stdoutOpen = true;
process.stdout.on('error', () => {
  stdoutOpen = false;
});

function write(text: string): void {
  if (stdoutOpen) process.stdout.write(`${text}\n`);
}

/** Prints `\n== 3. Title ==` and returns the step number. */
export function step(title: string): number {
  stepNumber++;
  write(`\n${style.bold(style.cyan(`== ${stepNumber}. ${title}`))}`);
  return stepNumber;
}

/** Prints a sub-step title (`4.2 Add the VMware credentials`). */
export function substep(number: string, title: string): void {
  write(`\n ${style.bold(`${number} ${title}`)}`);
}

/** A plain line of explanation. */
export function note(text: string): void {
  for (const line of text.split('\n')) for (const part of wrap(line, WIDTH + 2)) write(`   ${part}`);
}

/** The command about to run, as the admin would type it. */
export function command(text: string): void {
  const lines = text.split('\n');
  write(`${style.bold('   $')} ${style.bold(lines[0] ?? '')}`);
  for (const line of lines.slice(1)) write(`     ${style.bold(line)}`);
}

/** Splits a long line at spaces into lines of at most `width` characters (longer words stay whole). */
export function wrap(line: string, width = WIDTH): string[] {
  if (line.length <= width) return [line];
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      out.push(current);
      current = `  ${word}`;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  if (current !== '') out.push(current);
  return out;
}

/** Output of a command, indented under it (dim); long lines are wrapped. */
export function output(text: string): void {
  const trimmed = text.replace(/\s+$/, '');
  if (trimmed === '') return;
  for (const line of trimmed.split('\n')) for (const part of wrap(line)) write(`     ${style.dim(part)}`);
}

/** A passed check. */
export function ok(text: string): void {
  write(`   ${style.green('✓')} ${text}`);
}

/** A failed check (the caller decides whether the demo fails). */
export function bad(text: string): void {
  write(`   ${style.red('✗')} ${text}`);
}

/** A warning that does not fail the demo. */
export function warn(text: string): void {
  write(`   ${style.yellow('!')} ${text}`);
}

/** A line with no indentation (banners, the final verdict). */
export function banner(text: string): void {
  write(text);
}

/** Quotes a shell word the way an admin would type it: bare when safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Renders a JSON value on several lines the way the seed writes its midclt arguments:
 * `{` newline, `  "key": value,` per field (values compact), `}`.
 */
export function seedJson(value: Record<string, unknown>): string {
  const fields = Object.entries(value).map(([k, v]) => `  ${JSON.stringify(k)}: ${inlineJson(v)}`);
  return `{\n${fields.join(',\n')}\n}`;
}

/** JSON on one line with a space after `:` and `,` (`{"minute": "0", "hour": "0"}`), as the seed writes it. */
export function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Seconds since `startedMs`, one decimal. */
export function seconds(startedMs: number): string {
  return ((Date.now() - startedMs) / 1000).toFixed(1);
}

/** A step's failure: the message says what was expected and what happened. */
export class DemoFailure extends Error {
  override readonly name = 'DemoFailure';
}

/** Prints ✓ `text` when `condition` holds, else ✗ and throws a {@link DemoFailure} (`why` or `text`). */
export function check(condition: boolean, text: string, why?: string): void {
  if (condition) {
    ok(text);
    return;
  }
  bad(why ?? text);
  throw new DemoFailure(why ?? `check failed: ${text}`);
}

/** A fixed-width table: one header row, then rows; columns sized to their widest cell, the last one wrapped. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const indent = widths.slice(0, -1).reduce((n, w) => n + w + 2, 0);
  const lastWidth = Math.max(24, WIDTH - indent);
  const line = (cells: readonly string[]) => {
    const head = cells.slice(0, -1).map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
    const [first = '', ...more] = wrap(cells.at(-1) ?? '', lastWidth).map((l) => l.replace(/^ {2}/, ''));
    return [`${head}${head === '' ? '' : '  '}${first}`.trimEnd(), ...more.map((m) => `${' '.repeat(indent)}${m}`)].join('\n');
  };
  return [line(header), ...rows.map(line)].join('\n');
}
