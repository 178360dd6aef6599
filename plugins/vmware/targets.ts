/**
 * Turning method arguments into a connection target: a saved entry (by id, optionally with edited
 * fields laid over it), or credentials sent in the call. The stored password is reused server-side
 * (never sent back), with one guard: a caller who may not edit entries cannot send the stored
 * password to a different host, port or TLS setting (that would let a read-only user point the
 * saved credentials at a server of their choosing and read them there).
 */
import { InstanceNotFound, ValidationErrors } from '../../daemon/errors.js';
import type { Collection } from '../../daemon/plugin.js';
import { allowed } from '../../daemon/registry/roles.js';
import type { Credentials } from '../../daemon/registry/method.js';
import type { ConnectTarget } from './connect.js';
import { DEFAULT_TLS, mergeTls } from './crud.js';
import { MASKED_PASSWORD, type VmwareCredentialsIn, type VmwareUpdateIn } from './schemas.js';
import { VMWARE_VERBOSE_NAME, type VmwareEntryRecord } from './store.js';
import { checkConnectionShape, pickDatastores } from './validate.js';

/** A resolved target and what it came from. */
export interface ResolvedTarget {
  target: ConnectTarget;
  /** The saved entry (id form), else null. */
  entry: VmwareEntryRecord | null;
  /** Datastores to judge VMs against (overlay, else the entry's; [] for drafts). */
  datastores: string[];
  /** True when host, port, user, password or TLS differ from the saved entry (always true for drafts). */
  connectionChanged: boolean;
}

/** Role that may reuse a stored password anywhere (it can change the entry anyway). */
const WRITE_ROLE = 'SNAPSHOT_TASK_WRITE';

/**
 * Credentials sent in the call (`get_datastores`, `match_datastores_with_datasets`, draft `test`).
 * @throws ValidationErrors under `<arg>.*` for a malformed host name/fingerprint/CA or the "********" placeholder
 */
export function credentialsTarget(arg: string, c: VmwareCredentialsIn): ResolvedTarget {
  const errors = new ValidationErrors();
  if (c.password === MASKED_PASSWORD) {
    errors.add(`${arg}.password`, `"${MASKED_PASSWORD}" is a placeholder, not a password; send the password, or test a saved entry with vmware.test(id)`);
  }
  const target = { hostname: c.hostname, port: c.port ?? 443, username: c.username, password: c.password, tls: mergeTls(DEFAULT_TLS, c.tls) };
  checkConnectionShape(arg, target, errors);
  errors.check();
  return { target, entry: null, datastores: [], connectionChanged: true };
}

/**
 * A saved entry, with `overlay` (update-shaped) fields laid over it.
 * @throws InstanceNotFound; ValidationErrors under `<arg>.*`
 */
export function entryTarget(
  store: Collection<VmwareEntryRecord>,
  id: number,
  arg: string,
  credentials: Credentials,
  overlay: VmwareUpdateIn = {},
): ResolvedTarget {
  const entry = store.get(id);
  if (!entry) throw new InstanceNotFound(VMWARE_VERBOSE_NAME, id);
  const errors = new ValidationErrors();
  const reusePassword = overlay.password === undefined || overlay.password === MASKED_PASSWORD;
  const target: ConnectTarget = {
    hostname: overlay.hostname ?? entry.hostname,
    port: overlay.port ?? entry.port,
    username: overlay.username ?? entry.username,
    password: reusePassword ? entry.password : (overlay.password as string),
    tls: mergeTls(entry.tls ?? DEFAULT_TLS, overlay.tls),
  };
  const destinationChanged = target.hostname !== entry.hostname || target.port !== entry.port || JSON.stringify(target.tls) !== JSON.stringify(entry.tls);
  if (reusePassword && destinationChanged && !allowed(credentials, [WRITE_ROLE])) {
    errors.add(
      `${arg}.password`,
      `The stored password is only sent to ${entry.hostname}:${entry.port} with the saved TLS settings; give the password to test another host, port or TLS setting`,
    );
  }
  const { list } = pickDatastores(arg, overlay, errors);
  checkConnectionShape(arg, target, errors);
  errors.check();
  const connectionChanged = destinationChanged || target.username !== entry.username || target.password !== entry.password;
  return { target, entry, datastores: list && list.length ? list : [...entry.datastores], connectionChanged };
}
