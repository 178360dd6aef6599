/** One-shot alerts: import from here. */
export { ALERT_COLLECTION, ALERT_EVENT, AlertManager, createAlerts, MAX_ALERTS } from './alerts.js';
export type { CreateAlertsOptions } from './alerts.js';
export { ALERT_LEVELS, AlertEntrySchema, toAlertEntry } from './entry.js';
export type { AlertEntry, AlertRow } from './entry.js';
export { formatAlertText } from './template.js';
