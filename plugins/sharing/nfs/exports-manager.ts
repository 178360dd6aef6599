/**
 * Owns the generated exports file and the NFS server reload, and remembers how the last attempt
 * went (`sharing.nfs.exports_status`). Problems that do not make a share change wrong are reported,
 * not thrown: a missing or failing NFS server raises the `NFSExportsNotServed` alert and a share
 * that could not be rendered raises `NFSShareNotExported`; both clear themselves once fixed.
 */
import type { Logger } from 'pino';
import type { Alerts, AlertClassSpec } from '../../../daemon/plugin.js';
import { toWireDate, type WireDate } from '../../../daemon/wire/date.js';
import type { AccountDb } from './accounts.js';
import { reloadExports, type ReloadState } from './exportfs.js';
import { syncExportsFile } from './exports-file.js';
import { buildExportsTable, type SkippedShare, type TableShare } from './exports-table.js';

/** Alert: the exports are written but no NFS server loaded them. */
export const NFS_EXPORTS_NOT_SERVED: AlertClassSpec = {
  name: 'NFSExportsNotServed',
  title: 'NFS Exports Are Not Served',
  text: 'NFS shares are written to %(path)s but the NFS server did not load them: %(reason)s',
  level: 'WARNING',
  category: 'SHARING',
};

/** Alert: one share was left out of the exports file. */
export const NFS_SHARE_NOT_EXPORTED: AlertClassSpec = {
  name: 'NFSShareNotExported',
  title: 'NFS Share Is Not Exported',
  text: 'NFS share %(path)s is not exported: %(reason)s',
  level: 'WARNING',
  category: 'SHARING',
};

/** The last synchronisation, as `sharing.nfs.exports_status` returns it. */
export interface ExportsStatus {
  exports_path: string;
  shares: number;
  state: ReloadState | 'PENDING';
  message: string;
  skipped: string[];
  datetime: WireDate | null;
}

/** What the manager needs. */
export interface ExportsManagerOptions {
  exportsPath: string;
  /** exportfs binary name or absolute path. */
  exportfsPath: string;
  accounts: AccountDb;
  alerts: Alerts;
  log: Logger;
}

/** A written file whose reload is still to be done (see {@link ExportsManager.write}). */
export interface PendingReload {
  changed: boolean;
  lines: number;
  skipped: SkippedShare[];
}

/** Writes the exports file and reloads the NFS server. Callers serialise calls (the plugin's lock). */
export class ExportsManager {
  #status: ExportsStatus;
  /** Keys of the NFSShareNotExported alerts raised by the last sync; null before the first one. */
  #skippedKeys: Set<string> | null = null;

  constructor(private readonly opts: ExportsManagerOptions) {
    this.#status = { exports_path: opts.exportsPath, shares: 0, state: 'PENDING', message: 'exports not written yet', skipped: [], datetime: null };
  }

  /** The last outcome (a copy). */
  status(): ExportsStatus {
    return structuredClone(this.#status);
  }

  /**
   * Renders `shares` and replaces the file (or removes it when nothing is exported). Throws the
   * file system's error (EACCES, EROFS, ENOSPC …): the caller then leaves its data unchanged.
   */
  async write(shares: readonly TableShare[]): Promise<PendingReload> {
    const table = await buildExportsTable(shares, this.opts.accounts);
    const { changed } = await syncExportsFile(this.opts.exportsPath, table.content);
    return { changed, lines: table.lines, skipped: table.skipped };
  }

  /**
   * Reloads the NFS server after {@link write} when the file changed (or when it has lines and the
   * previous reload did not succeed, to retry), updates the status and the alerts. Never throws.
   */
  async reload(pending: PendingReload): Promise<ExportsStatus> {
    const { exportsPath, exportfsPath, log } = this.opts;
    const retry = pending.lines > 0 && this.#status.state !== 'RELOADED';
    let state: ExportsStatus['state'] = this.#status.state;
    let message = this.#status.message;
    if (pending.changed || retry) {
      const r = await reloadExports(exportfsPath);
      state = r.state;
      message = r.message;
      if (r.state === 'RELOADED') log.info({ exportsPath, lines: pending.lines }, 'NFS exports reloaded');
      else log.warn({ exportsPath, state: r.state }, r.message);
    } else if (pending.lines === 0) {
      message = 'no enabled NFS share: nothing to export, no exports file';
    }
    this.#status = {
      exports_path: exportsPath,
      shares: pending.lines,
      state,
      message,
      skipped: pending.skipped.map((s) => `${s.path}: ${s.reason}`),
      datetime: toWireDate(Date.now()),
    };
    await this.#updateAlerts(pending);
    return this.status();
  }

  /** Raises or clears the two alert classes to match the current state. Alert failures are logged only. */
  async #updateAlerts(pending: PendingReload): Promise<void> {
    const { alerts, exportsPath, log } = this.opts;
    try {
      if (pending.lines > 0 && (this.#status.state === 'NOT_INSTALLED' || this.#status.state === 'FAILED')) {
        await alerts.oneshotCreate(NFS_EXPORTS_NOT_SERVED.name, { path: exportsPath, reason: this.#status.message }, exportsPath);
      } else {
        await alerts.oneshotDelete(NFS_EXPORTS_NOT_SERVED.name, exportsPath);
      }
      // Clear only the shares that recovered, so a still-broken share keeps its alert (and its
      // dismissed state). Before the first sync the raised keys are unknown: clear the whole class.
      const keys = new Set(pending.skipped.map((s) => String(s.id)));
      if (this.#skippedKeys === null) await alerts.oneshotDelete(NFS_SHARE_NOT_EXPORTED.name);
      else for (const k of this.#skippedKeys) if (!keys.has(k)) await alerts.oneshotDelete(NFS_SHARE_NOT_EXPORTED.name, k);
      for (const s of pending.skipped) {
        await alerts.oneshotCreate(NFS_SHARE_NOT_EXPORTED.name, { path: s.path, reason: s.reason }, String(s.id));
      }
      this.#skippedKeys = keys;
    } catch (err) {
      log.error({ err }, 'could not update NFS alerts');
    }
  }
}
