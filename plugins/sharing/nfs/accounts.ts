/**
 * Looks up the users and groups named by `maproot_*` / `mapall_*`. exports(5) wants numbers
 * (`anonuid=`, `anongid=`), the API takes names (as TrueNAS does), so names are resolved through
 * NSS with `getent` (local files, LDAP, AD, whatever nsswitch.conf says), falling back to reading
 * /etc/passwd and /etc/group when getent is not installed.
 *
 * Group aliases: TrueNAS inherits FreeBSD's name `wheel` for gid 0, and TrueNAS SCALE ships a `wheel`
 * group with gid 0 so CORE-era settings keep working (scale-build NAS-116521); it likewise added a
 * `nobody` group with nogroup's gid (NAS-125340). Debian has neither name, and the seed's setup
 * workflow sends `"maproot_group": "wheel"`. So when a group name is not found and it is one of
 * {@link GROUP_ALIASES}, the alias resolves to the Linux group of the same meaning (`wheel` → `root`,
 * gid 0; `nobody` → `nogroup`). A real group of that name always wins; no other name is guessed.
 */
import { readFile } from 'node:fs/promises';
import { loadExeca } from '../../../daemon/lazy.js';

/** A resolved user. */
export interface UserEntry {
  name: string;
  uid: number;
  gid: number;
}

/** A resolved group; `aliasOf` is set when the name was a {@link GROUP_ALIASES} alias. */
export interface GroupEntry {
  name: string;
  gid: number;
  aliasOf?: string;
}

/** Resolves account names. Both methods return null for an unknown name and throw only on system failure. */
export interface AccountDb {
  user(name: string): Promise<UserEntry | null>;
  group(name: string): Promise<GroupEntry | null>;
}

/** BSD/TrueNAS group names accepted on Linux when no group of that name exists: alias → Linux group. */
export const GROUP_ALIASES: Readonly<Record<string, string>> = { wheel: 'root', nobody: 'nogroup' };

/**
 * Checks an account name before it reaches getent or the exports file. Returns a message naming
 * what is wrong, or null when usable. Refused: empty, leading `-` (an option to getent), whitespace,
 * control characters, `:` (the passwd field separator), `/`, and all-digit names (getent would look
 * those up as a uid/gid; the API takes names, as TrueNAS's does).
 */
export function accountNameProblem(name: string): string | null {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 256) return 'must be at most 256 characters';
  if (name.startsWith('-')) return 'must not start with "-"';
  if (/[\s:/\p{Cc}]/u.test(name)) return 'must not contain spaces, control characters, ":" or "/"';
  if (/^\d+$/.test(name)) return 'must be a name, not a numeric id';
  return null;
}

/** Parses one passwd line `name:x:uid:gid:…` (null when malformed). */
export function parsePasswdLine(line: string): UserEntry | null {
  const f = line.split(':');
  if (f.length < 4 || !f[0] || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) return null;
  return { name: f[0], uid: Number(f[2]), gid: Number(f[3]) };
}

/** Parses one group line `name:x:gid:members` (null when malformed). */
export function parseGroupLine(line: string): GroupEntry | null {
  const f = line.split(':');
  if (f.length < 3 || !f[0] || !/^\d+$/.test(f[2]!)) return null;
  return { name: f[0], gid: Number(f[2]) };
}

/** Options of {@link systemAccounts}; the defaults are the real system's. */
export interface SystemAccountsOptions {
  /** getent binary (default `getent` on PATH). */
  getent?: string;
  /** Fallback files when getent is missing. */
  passwdFile?: string;
  groupFile?: string;
}

/** Runs `getent <db> -- <name>`: the first line, null when not found (exit 2), undefined when getent is missing. */
async function getent(binary: string, db: 'passwd' | 'group', name: string): Promise<string | null | undefined> {
  const { execa } = await loadExeca();
  const r = await execa(binary, [db, '--', name], { reject: false, timeout: 10_000 });
  if (r.exitCode === 0) return r.stdout.split('\n')[0] ?? null;
  if (r.exitCode === 2) return null;
  const code = (r as { code?: string }).code;
  if (code === 'ENOENT') return undefined;
  throw new Error(`getent ${db} ${name} failed: ${r.stderr || r.shortMessage}`);
}

/** Finds `name` in a passwd/group-format file (null when absent or unreadable). */
async function lookupFile<T>(file: string, name: string, parse: (line: string) => T | null): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) if (line.startsWith(`${name}:`)) return parse(line);
  return null;
}

/**
 * The machine's accounts through NSS (`getent`), with the {@link GROUP_ALIASES} fallback for groups.
 * Names failing {@link accountNameProblem} resolve to null.
 */
export function systemAccounts(options: SystemAccountsOptions = {}): AccountDb {
  const binary = options.getent ?? 'getent';
  const passwdFile = options.passwdFile ?? '/etc/passwd';
  const groupFile = options.groupFile ?? '/etc/group';

  const user = async (name: string): Promise<UserEntry | null> => {
    if (accountNameProblem(name)) return null;
    const line = await getent(binary, 'passwd', name);
    if (line === undefined) return lookupFile(passwdFile, name, parsePasswdLine);
    return line === null ? null : parsePasswdLine(line);
  };
  const plainGroup = async (name: string): Promise<GroupEntry | null> => {
    if (accountNameProblem(name)) return null;
    const line = await getent(binary, 'group', name);
    if (line === undefined) return lookupFile(groupFile, name, parseGroupLine);
    return line === null ? null : parseGroupLine(line);
  };
  const group = async (name: string): Promise<GroupEntry | null> => {
    const found = await plainGroup(name);
    if (found) return found;
    const target = Object.hasOwn(GROUP_ALIASES, name) ? GROUP_ALIASES[name] : undefined;
    if (!target) return null;
    const real = await plainGroup(target);
    return real ? { name, gid: real.gid, aliasOf: real.name } : null;
  };
  return { user, group };
}
