/**
 * CSV output of `midclt call --csv` (RFC 4180: comma-separated, CRLF-free `\n` lines, fields with a
 * comma, quote or line break quoted, quotes doubled). A result that is an array of objects gives
 * one header line (the union of their keys, in order of appearance) and one line per object; a
 * single object is one line. Nested values: `{"$date": ms}` as ISO 8601 UTC, arrays of scalars
 * joined with `;`, other objects as JSON; null and undefined as empty fields.
 */

/** One field as text. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { $date?: unknown }).$date === 'number') {
    return new Date((v as { $date: number }).$date).toISOString();
  }
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) return v.map((x) => String(x ?? '')).join(';');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function quote(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Renders a result as CSV (ending with a newline).
 * @throws TypeError when the result is not an object or an array of objects (nothing tabular to print).
 */
export function toCsv(result: unknown): string {
  const rows = Array.isArray(result) ? result : [result];
  if (!rows.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))) {
    throw new TypeError('--csv needs a result that is an object or a list of objects');
  }
  const columns: string[] = [];
  for (const r of rows as Record<string, unknown>[]) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const lines = [columns.map(quote).join(',')];
  for (const r of rows as Record<string, unknown>[]) lines.push(columns.map((c) => quote(cell(r[c]))).join(','));
  return `${lines.join('\n')}\n`;
}
