/**
 * `pool.snapshottask` models: TrueNAS's fields and defaults (`PoolSnapshotTaskCreate`,
 * `PoolSnapshotTaskCron`), plus `vmware_sync` as a settable boolean (SPEC §3; TrueNAS derives it)
 * and the read-only `state`. Update is partial; a partial `schedule` is merged into the stored one.
 */
import { z } from 'zod';
import { WireDateSchema } from '../../../daemon/wire/date.js';
import { VmwareSyncOutcome } from '../snapshot/sync-outcome.js';
import { SelectionRules, TaskScripts } from './vmware-options.js';
import { namingSchemaProblem } from './naming-schema.js';
import { cronFieldProblem, DEFAULT_SCHEDULE, timeOfDayProblem, type CronFieldName } from './schedule.js';
import { boundedString, MAX_NAME, MAX_TEXT } from '../../../daemon/registry/bounds.js';

/** TrueNAS `lifetime_unit`. */
export const LifetimeUnit = z.enum(['HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR']).describe('Unit of lifetime_value (MONTH = 30 days, YEAR = 365 days)');

/**
 * `schema` that also reports `problem(value)` (null = fine) as an error of its own field, so that
 * input checks beyond the type come out with every other field's errors, not after them.
 */
function checked(schema: z.ZodString, problem: (value: string) => string | null): z.ZodString {
  return schema.superRefine((value, ctx) => {
    const message = problem(value);
    if (message !== null) ctx.addIssue({ code: 'custom', message });
  });
}

/** An input cron field (`name`), checked on its own. */
const cronInput = (name: CronFieldName) => checked(boundedString(MAX_TEXT), (v) => cronFieldProblem(name, v));

/** An input `begin`/`end`. */
const timeInput = () => checked(boundedString(MAX_NAME), timeOfDayProblem);

const cronField = (name: CronFieldName, what: string, def: string) => cronInput(name).default(def).describe(`${what} (cron syntax)`);

/** The schedule with TrueNAS defaults (minute "00", everything else "*", window 00:00–23:59). */
export const ScheduleCreate = z
  .strictObject({
    minute: cronField('minute', 'Minute "00"-"59"', DEFAULT_SCHEDULE.minute),
    hour: cronField('hour', 'Hour "00"-"23"', DEFAULT_SCHEDULE.hour),
    dom: cronField('dom', 'Day of month "1"-"31"', DEFAULT_SCHEDULE.dom),
    month: cronField('month', 'Month "1"-"12" or jan-dec', DEFAULT_SCHEDULE.month),
    dow: cronField('dow', 'Day of week "1" (Monday)-"7" (Sunday), 0 is Sunday too', DEFAULT_SCHEDULE.dow),
    begin: timeInput().default(DEFAULT_SCHEDULE.begin).describe('Start of the daily window, HH:MM (24 h)'),
    end: timeInput().default(DEFAULT_SCHEDULE.end).describe('End of the daily window, HH:MM (inclusive; before begin = wraps midnight)'),
  })
  .describe('When snapshots are taken');

const ScheduleUpdate = z
  .strictObject({
    minute: cronInput('minute').optional(),
    hour: cronInput('hour').optional(),
    dom: cronInput('dom').optional(),
    month: cronInput('month').optional(),
    dow: cronInput('dow').optional(),
    begin: timeInput().optional(),
    end: timeInput().optional(),
  })
  .describe('Schedule fields to change (the others keep their value)');

const fields = {
  dataset: boundedString(MAX_NAME).describe('The dataset to snapshot'),
  recursive: z.boolean().describe('Snapshot descendant datasets too'),
  exclude: z.array(boundedString(MAX_NAME)).describe('Descendants to leave out (recursive tasks only); fnmatch patterns allowed'),
  lifetime_value: z.number().int().nonnegative().describe('How many lifetime_unit to keep snapshots'),
  lifetime_unit: LifetimeUnit,
  naming_schema: boundedString(MAX_NAME).describe('strftime schema of snapshot names (local time), e.g. auto-%Y-%m-%d_%H-%M'),
  allow_empty: z.boolean().describe('Keep snapshots in which nothing changed'),
  enabled: z.boolean().describe('Whether the task runs on its schedule'),
  vmware_sync: z.boolean().describe('Make snapshots VM-consistent through the VMware coordinator'),
  vmware_rules: SelectionRules.nullable().describe('Selection rules replacing the vmware entries\' own for this task (null = the entries\' rules)'),
  vmware_scripts: TaskScripts.nullable().describe('Pre/post scripts around the VMware phase (null = none)'),
};

/** An input `naming_schema`, checked with the rest of the input (ZFS name characters, strftime). */
const namingSchemaInput = checked(fields.naming_schema, namingSchemaProblem);

/** `pool.snapshottask.create` input. */
export const TaskCreate = z
  .strictObject({
    dataset: fields.dataset,
    recursive: fields.recursive.default(false),
    exclude: fields.exclude.default([]),
    lifetime_value: fields.lifetime_value.default(2),
    lifetime_unit: fields.lifetime_unit.default('WEEK'),
    naming_schema: namingSchemaInput.default('auto-%Y-%m-%d_%H-%M'),
    schedule: ScheduleCreate.prefault({}),
    allow_empty: fields.allow_empty.default(true),
    enabled: fields.enabled.default(true),
    vmware_sync: fields.vmware_sync.default(false),
    vmware_rules: fields.vmware_rules.default(null),
    vmware_scripts: fields.vmware_scripts.default(null),
  })
  .describe('A periodic snapshot task');

/** `pool.snapshottask.update` input: any subset of the fields. */
export const TaskUpdate = z
  .strictObject({
    dataset: fields.dataset.optional(),
    recursive: fields.recursive.optional(),
    exclude: fields.exclude.optional(),
    lifetime_value: fields.lifetime_value.optional(),
    lifetime_unit: fields.lifetime_unit.optional(),
    naming_schema: namingSchemaInput.optional(),
    schedule: ScheduleUpdate.optional(),
    allow_empty: fields.allow_empty.optional(),
    enabled: fields.enabled.optional(),
    vmware_sync: fields.vmware_sync.optional(),
    vmware_rules: fields.vmware_rules.optional(),
    vmware_scripts: fields.vmware_scripts.optional(),
    fixate_removal_date: z.boolean().optional().describe('Accepted for TrueNAS compatibility; vsnapd does not write removal dates'),
  })
  .describe('Fields to change');

/** Task states (zettarepl). */
export const TaskStateName = z.enum(['PENDING', 'RUNNING', 'FINISHED', 'ERROR', 'HOLD']);

/** The read-only `state` on the wire. */
export const TaskState = z
  .strictObject({
    state: TaskStateName,
    datetime: WireDateSchema.optional().describe('When the state was entered'),
    error: z.string().optional().describe('ERROR: what went wrong'),
    reason: z.string().optional().describe('HOLD: why the task is held (e.g. the pool is offline)'),
    warnings: z.array(z.string()).optional().describe('FINISHED: what went wrong without failing the run (e.g. VMware coordination)'),
    last_snapshot: z.string().nullable().optional().describe('The last snapshot the task took (dataset@name)'),
    vmware_sync: z
      .strictObject({
        state: z.enum(['SUCCESS', 'PARTIAL', 'NONE', 'FAILED']).nullable().describe('What the last run\'s VMware coordination came to'),
        vmsynced: z.enum(['full', 'partial', 'none']).nullable().describe('The snapshot\'s vsnapd:vmsynced'),
        run_id: z.union([z.string(), z.number()]).nullable().describe('The run, for vmware.run.get_instance'),
        error: z.string().nullable(),
      })
      .optional()
      .describe('vsnapd: the VMware coordination of the last run (tasks with vmware_sync; absent when the run shared another task\'s snapshot)'),
  })
  .describe('The task state (read-only)');

/** One task as the API returns it. */
export const TaskEntry = z
  .strictObject({
    id: z.number().int(),
    dataset: fields.dataset,
    recursive: fields.recursive,
    exclude: fields.exclude,
    lifetime_value: fields.lifetime_value,
    lifetime_unit: fields.lifetime_unit,
    naming_schema: fields.naming_schema,
    schedule: z.strictObject({
      minute: z.string(),
      hour: z.string(),
      dom: z.string(),
      month: z.string(),
      dow: z.string(),
      begin: z.string(),
      end: z.string(),
    }),
    allow_empty: fields.allow_empty,
    enabled: fields.enabled,
    vmware_sync: fields.vmware_sync,
    vmware_rules: fields.vmware_rules,
    vmware_scripts: fields.vmware_scripts,
    state: TaskState,
  })
  .describe('A periodic snapshot task');

/** The state as stored (datetime in ms). */
export interface StoredTaskState {
  state: z.infer<typeof TaskStateName>;
  datetime?: number;
  error?: string;
  reason?: string;
  warnings?: string[];
  last_snapshot?: string | null;
  vmware_sync?: { state: 'SUCCESS' | 'PARTIAL' | 'NONE' | 'FAILED' | null; vmsynced: 'full' | 'partial' | 'none' | null; run_id: string | number | null; error: string | null };
}

/** A task row in the `pool.snapshottask` collection. */
export interface TaskRow {
  id: number;
  dataset: string;
  recursive: boolean;
  exclude: string[];
  lifetime_value: number;
  lifetime_unit: z.infer<typeof LifetimeUnit>;
  naming_schema: string;
  schedule: z.infer<typeof TaskEntry>['schedule'];
  allow_empty: boolean;
  enabled: boolean;
  vmware_sync: boolean;
  /** Absent on rows written before the field existed (= null). */
  vmware_rules?: SelectionRules | null;
  vmware_scripts?: TaskScripts | null;
  state: StoredTaskState;
}

/** A task's stored fields without id and state. */
export type TaskData = Omit<TaskRow, 'id' | 'state'>;
/** Create input after defaults. */
export type TaskCreateT = z.output<typeof TaskCreate>;
/** Update input (all optional). */
export type TaskUpdateT = z.output<typeof TaskUpdate>;
/** A task entry as returned. */
export type TaskEntryT = z.output<typeof TaskEntry>;

/**
 * `pool.snapshottask.run`'s result: null for a task without `vmware_sync` (TrueNAS's result);
 * for a task with it, the snapshot and its VMware coordination with the per-VM report.
 */
export const TaskRunResult = z
  .object({
    snapshot: z
      .string()
      .nullable()
      .describe('The snapshot this run took or shared with another task this minute (dataset@name); null when it was destroyed again as empty (allow_empty false)'),
    vmware_sync: VmwareSyncOutcome.nullable().describe('The VMware coordination of this run; null when the run shared a snapshot another task took this minute (that run coordinated it)'),
  })
  .nullable()
  .describe('null for a task without vmware_sync (as TrueNAS); otherwise the snapshot and its VMware coordination, with the per-VM report');
/** `pool.snapshottask.run`'s result. */
export type TaskRunResultT = z.output<typeof TaskRunResult>;
