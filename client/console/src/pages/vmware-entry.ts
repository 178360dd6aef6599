/** The `vmware` entry type shared by the list (./connections.tsx) and the form (./connection-form.tsx). */
import type { WireDate } from '../rpc.js';

/** An entry as `vmware.query` returns it (the fields shown). */
export interface VmwareEntry {
  id: number;
  hostname: string;
  port: number;
  username: string;
  filesystem: string;
  datastores: string[];
  enabled: boolean;
  tls: { verify: boolean; ca: string | null; thumbprint: string | null };
  state: { state: string; error?: string; datetime?: WireDate };
  health: {
    last_success: WireDate | null;
    last_failure: WireDate | null;
    consecutive_failures: number;
    last_error: { class: string; message: string } | null;
    poll_interval_seconds: number;
    summary: { hosts: number; vms: number; datastores: number; protected_vms: number } | null;
  };
}
