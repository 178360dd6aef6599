/**
 * Who a process is, beyond its pid: the kernel's boot id and the process's start time. A pid alone
 * does not name a process: after a reboot, a restarted container or the kernel's pid reuse, another
 * process may hold the same number. Used by the datastore lock (daemon/datastore/lock.ts) and by
 * records that name the daemon process working on them (the instant restore's start-up recovery).
 *
 * Sources (Linux procfs, proc(5)): boot id `/proc/sys/kernel/random/boot_id` (a UUID, new at every
 * boot); start time field 22 (`starttime`) of `/proc/<pid>/stat`, clock ticks since boot.
 */
import { readFileSync } from 'node:fs';
import { processAlive } from './process-alive.js';

/** A process's identity: pid, boot id and start time (clock ticks since boot, as text). */
export interface ProcessIdentity {
  readonly pid: number;
  readonly bootId: string;
  readonly startTicks: string;
}

/** The current boot's id (a UUID, new at every boot). */
export function bootId(): string {
  return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

/** Start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22), undefined when it does not run. */
export function processStartTicks(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may itself hold spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19]; // field 22 overall: the 20th after "pid (comm)"
}

/** This process's identity. */
export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, bootId: bootId(), startTicks: processStartTicks(process.pid) ?? '' };
}

/** True when `id` names a process running now: same boot, its pid alive and started at the same tick. */
export function isRunning(id: ProcessIdentity): boolean {
  return Number.isInteger(id.pid) && id.pid > 0 && processAlive(id.pid) && id.bootId === bootId() && id.startTicks === processStartTicks(id.pid);
}

/** True when `id` is this very process (pid, boot id and start time all equal). */
export function isCurrentProcess(id: ProcessIdentity): boolean {
  const me = currentProcess();
  return id.pid === me.pid && id.bootId === me.bootId && id.startTicks === me.startTicks;
}
