/**
 * The shapes of alerts: as stored in the `system.alert` collection and as `alert.list` returns them
 * (TrueNAS `api/v25_04_0/alert.py` `Alert` model).
 */
import { z } from 'zod';
import type { AlertLevel, Row } from '../plugin.js';
import { WireDateSchema, type WireDate } from '../wire/date.js';

/** Levels, least severe first (TrueNAS AlertLevel values 20…50). */
export const ALERT_LEVELS: readonly AlertLevel[] = ['INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL'];

/** TrueNAS's node name on a non-HA system. */
export const ALERT_NODE = 'Controller A';

/** A stored alert. The class's level/title/template are copied in so the row stays readable on its own. */
export interface AlertRow extends Row {
  uuid: string;
  klass: string;
  args: Record<string, unknown>;
  /** JSON of the key given to oneshotCreate, or of the args (sorted keys) when none was. */
  key: string;
  datetime: WireDate;
  last_occurrence: WireDate;
  dismissed: boolean;
  level: AlertLevel;
  title: string;
  /** The class's text template. */
  text: string;
  /** The text with the args filled in. */
  formatted: string;
}

/** One entry of `alert.list` (and the `fields` of `alert.list` events). */
export const AlertEntrySchema = z.strictObject({
  uuid: z.string().describe('Alert id (UUID4)'),
  source: z.string().describe('Alert source; "" for one-shot alerts'),
  klass: z.string().describe('Alert class, e.g. VMWareLoginFailed'),
  args: z.unknown().describe('Arguments the text template is filled from'),
  node: z.string().describe('Controller the alert belongs to'),
  key: z.string().describe('De-duplication key (JSON)'),
  datetime: WireDateSchema.describe('When the alert was first raised'),
  last_occurrence: WireDateSchema.describe('When it was last raised'),
  dismissed: z.boolean(),
  mail: z.unknown().describe('Always null (TrueNAS: per-alert mail state); alerts reach mail, Slack and webhooks through alertservice.*'),
  text: z.string().describe('The class text template, with %(name)s placeholders'),
  id: z.string().describe('Same as uuid'),
  level: z.enum(['INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL']),
  formatted: z.string().nullable().describe('The text with the arguments filled in'),
  one_shot: z.boolean().describe('True: raised and removed by the daemon, not by periodic checks'),
});

/** An `alert.list` entry. */
export type AlertEntry = z.output<typeof AlertEntrySchema>;

/** The wire form of a stored alert. */
export function toAlertEntry(row: AlertRow): AlertEntry {
  return {
    uuid: row.uuid,
    source: '',
    klass: row.klass,
    args: row.args,
    node: ALERT_NODE,
    key: row.key,
    datetime: row.datetime,
    last_occurrence: row.last_occurrence,
    dismissed: row.dismissed,
    mail: null,
    text: row.text,
    id: row.uuid,
    level: row.level,
    formatted: row.formatted,
    one_shot: true,
  };
}
