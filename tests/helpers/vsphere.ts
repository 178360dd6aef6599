/**
 * Integration helpers for the vSphere client against the real vcsim fixture: a simulator with an
 * NFS datastore on a temp folder, and a client connected to it with the simulator's certificate as
 * custom CA. Everything is stopped/removed at teardown (a client closed after its simulator stopped
 * just fails its Logout quickly).
 */
import { VsphereClient, type VsphereConnectOptions } from '../../vsphere/index.js';
import { startVcsim, type VcsimHandle, type VcsimSpec } from '../fixtures/vcsim/index.js';
import type { Teardown } from './daemon.js';
import { tempDir } from './tmp-datastore.js';

/** NFS datastore name used by {@link startVcsimWithNfs}. */
export const NFS_DS = 'vmstore';

/**
 * Starts vcsim with one NFS datastore `vmstore` (remote 192.0.2.10:/mnt/tank/vm) on a temp folder,
 * plus whatever `spec` adds (VMs referring to `vmstore`, bulkVms, model…).
 */
export async function startVcsimWithNfs(t: Teardown, spec: VcsimSpec = {}): Promise<VcsimHandle> {
  const dir = tempDir(t, 'vsnapd-nfs-');
  return startVcsim(
    {
      nfsDatastores: [{ name: NFS_DS, remoteHost: '192.0.2.10', remotePath: '/mnt/tank/vm', localPath: dir }],
      ...spec,
    },
    { t },
  );
}

/** Connection options for `vc` (custom CA = the simulator's self-signed certificate). */
export function optionsFor(vc: VcsimHandle, overrides: Partial<VsphereConnectOptions> = {}): VsphereConnectOptions {
  return {
    host: vc.host,
    port: vc.port,
    username: vc.username,
    password: vc.password,
    tls: { ca: vc.certPem },
    connectTimeoutMs: 5000,
    callTimeoutMs: 30_000,
    ...overrides,
  };
}

/** Connects a client to `vc`, closed at teardown. */
export async function connectClient(t: Teardown, vc: VcsimHandle, overrides: Partial<VsphereConnectOptions> = {}): Promise<VsphereClient> {
  const client = await VsphereClient.connect(optionsFor(vc, overrides));
  t.teardown(() => client.close());
  return client;
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
