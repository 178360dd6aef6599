/**
 * The stored alert services (collection `system.alertservice`, `attributes` encrypted at rest since
 * webhook URLs carry their token) and the mail settings (collection `system.mail`, one row, `pass`
 * encrypted). Entries leave the daemon with secrets as "********".
 */
import type { Collection, Datastore, Row } from '../../daemon/plugin.js';
import { MASKED, SERVICE_TYPES, type Attributes, type MailConfigT, type ServiceEntryT } from './schemas.js';

/** A stored service. */
export interface ServiceRow extends Row {
  name: string;
  attributes: Attributes;
  level: ServiceEntryT['level'];
  enabled: boolean;
}

/** The stored mail settings. */
export type MailRow = MailConfigT;

/** The defaults of `mail.config` (TrueNAS's). */
export const MAIL_DEFAULTS: Omit<MailRow, 'id'> = { fromemail: '', fromname: '', outgoingserver: '', port: 25, security: 'PLAIN', smtp: false, user: '', pass: '' };

/** Opens both collections. */
export function openStores(db: Datastore): { services: Collection<ServiceRow>; mail: Collection<MailRow> } {
  return {
    services: db.collection<ServiceRow>({ name: 'system.alertservice', secretFields: ['attributes'], unique: [{ fields: ['name'], message: 'An alert service with this name already exists' }] }),
    mail: db.collection<MailRow>({ name: 'system.mail', secretFields: ['pass'] }),
  };
}

/** Attributes with secrets masked. */
export function maskAttributes(a: Attributes): Record<string, string> {
  return a.type === 'Mail' ? { ...a } : { ...a, url: MASKED };
}

/** The API entry of a service. */
export function serviceEntry(r: ServiceRow): ServiceEntryT {
  return { id: r.id, name: r.name, attributes: maskAttributes(r.attributes), level: r.level, enabled: r.enabled, type__title: SERVICE_TYPES[r.attributes.type] };
}

/**
 * New attributes for an update or a test of a stored service: "********" in `url` keeps the stored
 * URL when the type is unchanged. Returns null when a masked URL has nothing to keep.
 */
export function mergeAttributes(next: Attributes, stored: Attributes | undefined): Attributes | null {
  if (next.type === 'Mail' || next.url !== MASKED) return next;
  if (stored && stored.type === next.type) return { ...next, url: stored.url };
  return null;
}

/** The mail settings (defaults when never set). */
export function mailSettings(mail: Collection<MailRow>): MailRow {
  return mail.get(1) ?? { id: 1, ...MAIL_DEFAULTS };
}
