/**
 * CSV (RFC 4180) for downloads: fields quoted when they hold a comma, quote, CR or LF, quotes
 * doubled, lines ended by CRLF. Text cells that a spreadsheet would run as a formula (starting with
 * `=`, `+`, `-`, `@`, tab or CR: OWASP "CSV Injection") get a leading `'`, so they open as text.
 */

/** One column: its heading and how a row's cell reads. */
export interface CsvColumn<T> {
  header: string;
  value(row: T): string | number | boolean | null;
}

/** One cell: null → empty; text guarded against formulas; quoted when needed. */
export function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The document: a heading line, then one line per row. */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const line = (cells: (string | number | boolean | null)[]) => `${cells.map(csvCell).join(',')}\r\n`;
  return line(columns.map((c) => c.header)) + rows.map((r) => line(columns.map((c) => c.value(r)))).join('');
}
