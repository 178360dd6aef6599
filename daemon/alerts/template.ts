/**
 * Alert text templates use Python's `%`-formatting with a mapping, as TrueNAS alert classes do:
 * `"VMWare login to %(hostname)s failed: %(error)s."`. Supported: `%(name)s`, `%(name)d`, `%(name)i`,
 * `%(name)r` and `%%`; a placeholder whose name is not in `args` is left as it is (TrueNAS would
 * raise and show the bare template), so a missing argument is visible rather than fatal.
 */

const PLACEHOLDER = /%%|%\(([^)]*)\)([sdir])/g;

function show(v: unknown, conv: string): string {
  if (conv === 'd' || conv === 'i') return typeof v === 'number' ? String(Math.trunc(v)) : String(v);
  if (typeof v === 'string') return conv === 'r' ? `'${v}'` : v;
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Fills `template` from `args`. */
export function formatAlertText(template: string, args: Readonly<Record<string, unknown>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string | undefined, conv: string | undefined) => {
    if (whole === '%%') return '%';
    if (name === undefined || conv === undefined || !Object.hasOwn(args, name)) return whole;
    return show(args[name], conv);
  });
}

/** The placeholder names a template uses (to check a class definition). */
export function templateNames(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].flatMap((m) => (m[1] === undefined ? [] : [m[1]]));
}
