/**
 * The `vmware` section of the daemon config file:
 * `{ "poll_interval_seconds": 300, "nas_addresses": ["nas.example.com", "10.0.0.50"], … }`.
 */
import { z } from 'zod';
import { defaultHistoryConfig, HistoryConfig } from './history/config.js';
import { defaultSyncConfig, SyncConfig } from './sync/config.js';

/** The plugin's config schema (every field has a default). */
export const VmwareConfigSchema = z
  .strictObject({
    poll_interval_seconds: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(300)
      .describe('Seconds between background health checks of each enabled entry (jittered by ±10%)'),
    nas_addresses: z
      .array(z.string().trim().min(1))
      .default([])
      .describe(
        'Extra names and addresses of this NAS (VIPs, DNS names, FQDNs) that ESXi may use to mount its NFS exports, ' +
          'on top of the local interface addresses; used by match_datastores_with_datasets',
      ),
    connect_timeout_seconds: z.number().min(1).max(300).default(10).describe('TCP+TLS set-up deadline of a vSphere connection'),
    call_timeout_seconds: z.number().min(1).max(3600).default(60).describe('Deadline of one vSphere SOAP call'),
    sync: SyncConfig.default(defaultSyncConfig()).describe('Coordinated snapshot runs (plugins/vmware/sync/config.ts)'),
    history: HistoryConfig.default(defaultHistoryConfig()).describe('Retention of the run history (plugins/vmware/history/config.ts)'),
  })
  .describe('VMware integration');

/** The parsed config. */
export type VmwareConfig = z.output<typeof VmwareConfigSchema>;
