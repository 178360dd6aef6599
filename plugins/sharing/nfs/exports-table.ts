/**
 * Turns the stored shares into the exports file's text: resolves account names to ids, checks each
 * enabled share's path still exists, and renders one line per share (render.ts). A share that can
 * no longer be rendered (its folder was removed, its mapped user deleted) is left out and reported,
 * instead of TrueNAS's behaviour of dropping every export when one account lookup fails.
 */
import { stat } from 'node:fs/promises';
import type { AccountDb } from './accounts.js';
import { renderExportLine, renderExportsFile, type IdMapping } from './render.js';
import type { NfsShareData } from './schemas.js';
import { isMountpoint, pathSyntaxProblem } from './share-path.js';

/** A share as the table needs it: the stored data, with an id when it has one (0 for a share being created). */
export type TableShare = NfsShareData & { id: number };

/** One share left out of the file. */
export interface SkippedShare {
  id: number;
  path: string;
  reason: string;
}

/** The rendered table. */
export interface ExportsTable {
  /** File content, or null when no line was rendered (the file should then not exist). */
  content: string | null;
  /** Number of lines rendered. */
  lines: number;
  skipped: SkippedShare[];
}

/** Resolves a share's user/group pair to ids; throws an Error whose message names what is missing. */
async function resolveMapping(accounts: AccountDb, user: string | null, group: string | null): Promise<IdMapping> {
  let uid: number | null = null;
  let gid: number | null = null;
  if (user !== null) {
    const u = await accounts.user(user);
    if (!u) throw new Error(`user ${user} no longer exists`);
    uid = u.uid;
  }
  if (group !== null) {
    const g = await accounts.group(group);
    if (!g) throw new Error(`group ${group} no longer exists`);
    gid = g.gid;
  }
  return { uid, gid };
}

/** Renders one share's line; throws an Error with the reason when it cannot be exported. */
async function renderShare(share: TableShare, accounts: AccountDb): Promise<string> {
  const syntax = pathSyntaxProblem(share.path);
  if (syntax) throw new Error(syntax);
  const st = await stat(share.path).catch(() => null);
  if (!st) throw new Error(`path ${share.path} does not exist (dataset unmounted or folder removed?)`);
  if (!st.isDirectory()) throw new Error(`path ${share.path} is not a directory`);
  return renderExportLine({
    path: share.path,
    hosts: share.hosts,
    networks: share.networks,
    ro: share.ro,
    security: share.security,
    maproot: await resolveMapping(accounts, share.maproot_user, share.maproot_group),
    mapall: await resolveMapping(accounts, share.mapall_user, share.mapall_group),
    mountpoint: await isMountpoint(share.path),
  });
}

/**
 * Builds the exports file for `shares` (disabled ones are skipped silently, unrenderable ones are
 * reported in `skipped`). Never throws for a share's problem; account lookups that fail at the
 * system level (getent crashing) are reported as that share's reason.
 */
export async function buildExportsTable(shares: readonly TableShare[], accounts: AccountDb): Promise<ExportsTable> {
  const lines: string[] = [];
  const skipped: SkippedShare[] = [];
  for (const share of shares) {
    if (!share.enabled) continue;
    try {
      lines.push(await renderShare(share, accounts));
    } catch (err) {
      skipped.push({ id: share.id, path: share.path, reason: (err as Error).message });
    }
  }
  return { content: lines.length ? renderExportsFile(lines) : null, lines: lines.length, skipped };
}
