/**
 * Shapes of `alertservice.*` (TrueNAS 25.04+: `{name, attributes: {type, …}, level, enabled}` plus
 * `id` and `type__title`) and of `mail.config` / `mail.update` (TrueNAS's fields). Service types:
 * - `Mail` (title "Email"): `{type, email}`, sent through the SMTP settings of `mail.config`;
 * - `Slack`: `{type, url}`, TrueNAS's: JSON `{"text": …}` POSTed to the incoming-webhook URL
 *   (Mattermost and other Slack-compatible receivers accept it too);
 * - `Webhook` (vsnapd's own): `{type, url}`, the alert (as `alert.list` shows it) POSTed as JSON.
 * Webhook URLs carry their token (in the path or query; credentials as `user:token@` are refused),
 * so `url` is a secret like the SMTP password: encrypted at rest and returned as "********";
 * sending "********" back in an update keeps the stored value.
 */
import { z } from 'zod';
import { ALERT_LEVELS } from '../../daemon/alerts/index.js';

/** What secrets read as. */
export const MASKED = '********';

/** Service types and their titles (`type__title`). */
export const SERVICE_TYPES = { Mail: 'Email', Slack: 'Slack', Webhook: 'Webhook' } as const;
export type ServiceType = keyof typeof SERVICE_TYPES;

const Email = z
  .string()
  .max(254)
  .regex(/^[^\s@"<>,;]+@[^\s@"<>,;]+\.[^\s@"<>,;]+$/, 'must be an e-mail address such as admin@example.com');

/**
 * An http(s) URL without userinfo (the masked value is accepted where a stored one exists; the
 * service checks that). Credentials in the URL (`https://user:token@host/`) are refused: fetch
 * refuses them too, quoting the whole URL in its error, and the URL would travel to every place an
 * error goes.
 */
const Url = z
  .string()
  .max(2048)
  .superRefine((u, ctx) => {
    if (u === MASKED) return;
    if (!isHttpUrl(u)) ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL such as https://hooks.slack.com/services/T000/B000/XXXX' });
    else if (hasUserinfo(u)) {
      ctx.addIssue({ code: 'custom', message: 'must not carry credentials (user:password@host): put the token in the URL\'s path, as Slack and Mattermost hooks do (https://host/hooks/<token>)' });
    }
  });

/** True for an absolute http/https URL with a host. */
export function isHttpUrl(u: string): boolean {
  try {
    const p = new URL(u);
    return (p.protocol === 'http:' || p.protocol === 'https:') && p.hostname !== '';
  } catch {
    return false;
  }
}

/** True when the URL has a userinfo part (`user@`, `user:password@`, even an empty `@`; RFC 3986 §3.2.1). */
export function hasUserinfo(u: string): boolean {
  const p = new URL(u);
  return p.username !== '' || p.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(u);
}

/** Attributes per type. */
export const MailAttributes = z.strictObject({ type: z.literal('Mail'), email: Email.describe('Where the alert mail goes') });
export const SlackAttributes = z.strictObject({ type: z.literal('Slack'), url: Url.describe('Slack (or Mattermost) incoming-webhook URL') });
export const WebhookAttributes = z.strictObject({ type: z.literal('Webhook'), url: Url.describe('URL the alert is POSTed to as JSON') });

/** Any service's attributes. */
export const Attributes = z
  .discriminatedUnion('type', [MailAttributes, SlackAttributes, WebhookAttributes], {
    error: (iss) => (iss.code === 'invalid_union' ? `type must be one of ${Object.keys(SERVICE_TYPES).join(', ')}` : undefined),
  })
  .describe('{type: Mail, email} | {type: Slack, url} | {type: Webhook, url}');
export type Attributes = z.output<typeof Attributes>;

const Level = z.enum(ALERT_LEVELS as unknown as ['INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL']).describe('Least severe alert level sent');

/** `alertservice.create` input. */
export const ServiceCreate = z
  .strictObject({
    name: z.string().trim().min(1).max(120).describe('Name of the service'),
    attributes: Attributes,
    level: Level.default('WARNING'),
    enabled: z.boolean().default(true),
  })
  .describe('An alert service');
export type ServiceCreateT = z.output<typeof ServiceCreate>;

/** `alertservice.update` input (any subset; `attributes` replaces the stored ones, "********" keeps a secret). */
export const ServiceUpdate = z
  .strictObject({
    name: ServiceCreate.shape.name.optional(),
    attributes: Attributes.optional(),
    level: Level.optional(),
    enabled: z.boolean().optional(),
  })
  .describe('Fields to change');
export type ServiceUpdateT = z.output<typeof ServiceUpdate>;

/** An entry as the API returns it. */
export const ServiceEntry = z
  .strictObject({
    id: z.number().int(),
    name: z.string(),
    attributes: z.record(z.string(), z.string()).describe('type and its settings; url reads "********"'),
    level: Level,
    enabled: z.boolean(),
    type__title: z.string().describe('Email, Slack or Webhook'),
  })
  .describe('An alert service');
export type ServiceEntryT = z.output<typeof ServiceEntry>;

/** `mail.config` (TrueNAS fields; `pass` reads "********"). */
export const MailConfig = z
  .strictObject({
    id: z.number().int(),
    fromemail: z.string().describe('Sender address'),
    fromname: z.string().describe('Sender name'),
    outgoingserver: z.string().describe('SMTP server host name or address'),
    port: z.number().int().describe('SMTP port (25, 465 with SSL, 587 with TLS)'),
    security: z.enum(['PLAIN', 'SSL', 'TLS']).describe('PLAIN: no encryption; SSL: implicit TLS; TLS: STARTTLS required'),
    smtp: z.boolean().describe('Authenticate with user/pass'),
    user: z.string(),
    pass: z.string().describe('Reads "********" when set'),
  })
  .describe('Outgoing mail settings');
export type MailConfigT = z.output<typeof MailConfig>;

/** `mail.update` input (any subset). */
export const MailUpdate = z
  .strictObject({
    fromemail: Email.or(z.literal('')).optional(),
    fromname: z.string().max(120).optional(),
    outgoingserver: z
      .string()
      .max(253)
      .regex(/^[A-Za-z0-9.:_-]*$/, 'must be a host name or IP address such as smtp.example.com')
      .optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    security: z.enum(['PLAIN', 'SSL', 'TLS']).optional(),
    smtp: z.boolean().optional(),
    user: z.string().max(256).optional(),
    pass: z.string().max(1024).optional(),
  })
  .describe('Mail settings to change; pass "********" keeps the stored password');
export type MailUpdateT = z.output<typeof MailUpdate>;
