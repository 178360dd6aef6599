/**
 * Parsers for `zfs`/`zpool` scripted output (`-H`: no header, tab-separated fields, one line per row).
 */
import type { PropertySource } from './adapter.js';

/** Splits `-H` output into rows of fields, skipping empty lines. */
export function parseRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

/** One `zfs get -H -p -o name,property,value,source` row. */
export interface PropertyRow {
  readonly name: string;
  readonly property: string;
  readonly value: string;
  readonly source: PropertySource;
}

/**
 * Parses `zfs get -H -p -o name,property,value,source` output. The value may itself contain tabs
 * (a user property set by another tool), so name and property are the first two fields and the
 * source the last one.
 */
export function parsePropertyRows(stdout: string): PropertyRow[] {
  const rows: PropertyRow[] = [];
  for (const line of stdout.split('\n')) {
    if (line.length === 0) continue;
    const fields = line.split('\t');
    if (fields.length < 4) continue;
    const name = fields[0] ?? '';
    const property = fields[1] ?? '';
    const source = fields[fields.length - 1] ?? '-';
    const value = fields.slice(2, -1).join('\t');
    rows.push({ name, property, value, source: parseSource(source) });
  }
  return rows;
}

/** Maps a `zfs get` source column (`local`, `default`, `-`, `inherited from x`…) to TrueNAS's enum. */
export function parseSource(source: string): PropertySource {
  if (source === 'local') return 'LOCAL';
  if (source === 'default') return 'DEFAULT';
  if (source === 'temporary') return 'TEMPORARY';
  if (source === 'received') return 'RECEIVED';
  if (source.startsWith('inherited')) return 'INHERITED';
  return 'NONE';
}

/** Groups property rows by object name, keeping the first-seen order of names. */
export function groupByName(rows: readonly PropertyRow[]): Map<string, Map<string, PropertyRow>> {
  const out = new Map<string, Map<string, PropertyRow>>();
  for (const row of rows) {
    let props = out.get(row.name);
    if (!props) {
      props = new Map();
      out.set(row.name, props);
    }
    props.set(row.property, row);
  }
  return out;
}

const UNITS: Record<string, number> = { '': 1, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60 };

/**
 * Parses a size as ZFS prints it: exact bytes (`-p`), or human form (`680K`, `90.3M`, `1.50G`; binary
 * units). `-` and `none` are 0. Human values are rounded, so they are exact only to 3 digits;
 * callers use `zfs get -p` when they need bytes.
 */
export function parseSize(text: string): number {
  const t = text.trim();
  if (t === '-' || t === 'none' || t === '') return 0;
  const m = /^(\d+(?:\.\d+)?)([BKMGTPE]?)$/i.exec(t);
  if (!m) return Number.NaN;
  const unit = UNITS[(m[2] ?? '').toUpperCase()] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

/** Parses a whole number of bytes or seconds from `-p` output; non-numbers (`-`) are 0. */
export function parseIntegerValue(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : parseSize(text) || 0;
}

/** Formats bytes the way `zfs list` does (`680K`, `90.3M`), for TrueNAS's human `value` fields. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))}B`;
  const units = ['K', 'M', 'G', 'T', 'P', 'E'];
  let value = bytes;
  let unit = 'B';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  const text = digits === 0 ? value.toFixed(0) : value.toFixed(digits).replace(/0+$/, '').replace(/\.$/, '');
  return `${text}${unit}`;
}
