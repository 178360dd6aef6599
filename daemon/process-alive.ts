/**
 * Whether a process id names a running process, by signal 0 (nothing is sent; the kernel only checks
 * that the pid exists and that we may signal it). Used for the datastore lock's stale-owner check and
 * by the test fixtures that stop what they started.
 */

/**
 * True when `pid` is a running process (a zombie not yet reaped by its parent still counts).
 * EPERM means it exists but belongs to another user, so it counts as alive; ESRCH means it is gone.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
