/** The snapshot task type shared by the list (./tasks.tsx) and the form (./task-form.tsx). */
import type { Schedule } from '../format.js';
import type { WireDate } from '../rpc.js';

/** A task as `pool.snapshottask.query` returns it (the fields shown). */
export interface Task {
  id: number;
  dataset: string;
  recursive: boolean;
  exclude: string[];
  lifetime_value: number;
  lifetime_unit: string;
  naming_schema: string;
  allow_empty: boolean;
  enabled: boolean;
  vmware_sync: boolean;
  /** Selection rules replacing the entries' for this task (null: the entries' own). */
  vmware_rules?: unknown;
  schedule: Schedule;
  state: { state: string; datetime?: WireDate; error?: string; warnings?: string[]; last_snapshot?: string | null };
}
