/**
 * `audit.query` / `audit.get_instance`: the audit log of write calls and logins (daemon/audit), with
 * the shared query engine and TrueNAS's field names (`audit_id`, `timestamp`, `address`, `username`,
 * `service`, `event`, `event_data`, `success` …). Role SYSTEM_AUDIT_READ, as TrueNAS.
 */
import { z } from 'zod';
import type { Plugin } from '../../daemon/plugin.js';
import { queryMethods } from '../../daemon/query/index.js';
import { WireDateSchema } from '../../daemon/wire/date.js';

const Credentials = z
  .object({
    credentials: z.string().nullable().describe('UNIX_SOCKET, API_KEY, PASSWORD, or the login mechanism'),
    credentials_data: z.object({
      username: z.string().nullable(),
      api_key: z.object({ id: z.number().int(), name: z.string() }).nullable().describe('The API key used (never the key itself)'),
    }),
  })
  .nullable();

/** One audit record as returned. */
export const AuditEntry = z.object({
  id: z.number().int(),
  audit_id: z.string().describe('UUID of the record'),
  message_timestamp: z.number().int().describe('Unix time in seconds'),
  timestamp: WireDateSchema,
  address: z.string().describe('Peer address, or "unix" for the local socket'),
  username: z.string().nullable().describe('Who: the logged-in user, or the user name a failed login claimed'),
  session: z.string().describe('Connection id'),
  service: z.literal('MIDDLEWARE'),
  service_data: z.object({
    vers: z.object({ major: z.number().int(), minor: z.number().int() }),
    origin: z.string(),
    protocol: z.enum(['WEBSOCKET', 'UNIX']),
    credentials: Credentials,
  }),
  event: z.enum(['METHOD_CALL', 'AUTHENTICATION']),
  event_data: z.record(z.string(), z.unknown()).describe('METHOD_CALL: method, params (secrets redacted), description, authenticated, authorized, error; AUTHENTICATION: method, credentials, error'),
  success: z.boolean(),
});

/** The audit plugin. */
export const auditPlugin: Plugin = {
  name: 'audit',
  async setup(ctx) {
    const audit = ctx.services.get('audit');
    ctx.registerMethods([
      ...queryMethods({
        namespace: 'audit',
        verboseName: 'Audit entry',
        roles: ['SYSTEM_AUDIT_READ'],
        entry: AuditEntry,
        description: 'The audit log: every write call and every login over the API (who, from where, what with secrets redacted, outcome), oldest first, bounded by audit.max_entries. TrueNAS filters and options.',
        list: () => audit.all(),
      }),
    ]);
  },
};
