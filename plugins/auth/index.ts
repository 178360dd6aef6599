/**
 * `auth.*` (login, logout, me) and `api_key.*` (create, query, get_instance, delete). Logins change
 * the calling connection's identity; the Unix socket is already root.
 */
import { z } from 'zod';
import { API_KEY_COLLECTION, ApiKeyStore, type ApiKeyRow } from '../../daemon/auth/api-keys.js';
import { LoginRateLimiter } from '../../daemon/auth/rate-limit.js';
import { CallError, Errno, ValidationErrors } from '../../daemon/errors.js';
import type { Plugin } from '../../daemon/plugin.js';
import { publishCrud, queryMethods } from '../../daemon/query/index.js';
import { defineMethod, type CallContext, type CallSession, type Credentials } from '../../daemon/registry/method.js';
import { toWireDate } from '../../daemon/wire/date.js';
import { Authenticator } from './login.js';
import { KeySessions } from './key-sessions.js';
import { ScramLogins } from './scram-login.js';
import { ApiKeyCreate, ApiKeyEntry, AuthConfig, LoginData, LoginResponse, UserInfo } from './schemas.js';
import { userInfo } from './user-info.js';
import { boundedString, MAX_NAME, MAX_TEXT } from '../../daemon/registry/bounds.js';

const API_KEY_EVENT = 'api_key.query';

function sessionOf(ctx: CallContext): CallSession {
  if (!ctx.session) throw new CallError('This method needs a client connection', Errno.EINVAL);
  return ctx.session;
}

function entryOf(row: ApiKeyRow): z.input<typeof ApiKeyEntry> {
  return { id: row.id, name: row.name, username: row.username, created_at: toWireDate(row.created_at), expires_at: null, revoked: false, local: true };
}

/** The auth plugin. */
export const authPlugin: Plugin = {
  name: 'auth',
  configSections: { auth: AuthConfig },
  async setup(ctx) {
    const config = ctx.config('auth', AuthConfig);
    const keys = new ApiKeyStore(ctx.db.collection<ApiKeyRow>(API_KEY_COLLECTION), config.scram_iterations);
    const limiter = new LoginRateLimiter({
      maxFailures: config.login_rate_limit.max_failures,
      windowMs: config.login_rate_limit.window_seconds * 1000,
    });
    const auth = new Authenticator(config, keys, limiter);
    // `Authorization: Bearer <key>` on /metrics and /readyz from non-loopback peers (rate limited like logins).
    ctx.services.provide('bearerAuth', (key, address) => auth.apiKey(key, null, address));
    ctx.events.define(API_KEY_EVENT, { description: 'API keys added or removed', roles: ['API_KEY_READ'] });

    const login = (call: CallContext, creds: Credentials | null): boolean => {
      if (creds) sessionOf(call).setCredentials(creds);
      return creds !== null;
    };
    // Connections logged in with each API key, so that deleting the key logs them out at once.
    const keySessions = new KeySessions();
    const loginWithKey = (call: CallContext, key: string | number, creds: Credentials | null): boolean => {
      if (!login(call, creds)) return false;
      keySessions.add(typeof key === 'number' ? key : Number(key.slice(0, key.indexOf('-'))), sessionOf(call), creds!);
      return true;
    };
    const scram = new ScramLogins(keys, limiter);
    const scramStep = (call: CallContext, data: { scram_type: 'CLIENT_FIRST_MESSAGE' | 'CLIENT_FINAL_MESSAGE'; rfc_str: string; login_options: { user_info: boolean } }) => {
      const session = sessionOf(call);
      const step = data.scram_type === 'CLIENT_FIRST_MESSAGE' ? scram.first(session, data.rfc_str) : scram.final(session, data.rfc_str);
      if (step.type === 'AUTH_ERR') return { response_type: 'AUTH_ERR' as const };
      if (step.type === 'SERVER_FIRST_RESPONSE') return { response_type: 'SCRAM_RESPONSE' as const, scram_type: step.type, rfc_str: step.rfc_str };
      const row = keys.all().find((k) => k.id === step.keyId);
      const creds = auth.grant('API_KEY', step.username, row && { id: row.id, name: row.name });
      loginWithKey(call, step.keyId, creds);
      return { response_type: 'SCRAM_RESPONSE' as const, scram_type: step.type, rfc_str: step.rfc_str, user_info: data.login_options.user_info ? userInfo(creds) : null };
    };

    ctx.registerMethods([
      defineMethod({
        name: 'auth.login_ex',
        audit: 'login',
        description: 'Logs the connection in. Mechanisms: SCRAM (SCRAM-SHA-512 with an API key, TrueNAS 26: CLIENT_FIRST_MESSAGE then CLIENT_FINAL_MESSAGE, each answered SCRAM_RESPONSE; SCRAM-PLUS tls-server-end-point over wss://), API_KEY_PLAIN {username, api_key}, PASSWORD_PLAIN {username, password} (the configured admin). Failed logins are rate limited per address (EBUSY "Rate Limit Exceeded").',
        args: [{ name: 'login_data', schema: LoginData }],
        result: LoginResponse,
        roles: [],
        public: true,
        async handler(ctx, data) {
          if (data.mechanism === 'SCRAM') return scramStep(ctx, data);
          const address = sessionOf(ctx).remoteAddress;
          const creds =
            data.mechanism === 'API_KEY_PLAIN'
              ? auth.apiKey(data.api_key, data.username, address)
              : await auth.password(data.username, data.password, address);
          const ok = data.mechanism === 'API_KEY_PLAIN' ? loginWithKey(ctx, data.api_key, creds) : login(ctx, creds);
          if (!ok) return { response_type: 'AUTH_ERR' as const };
          return { response_type: 'SUCCESS' as const, user_info: data.login_options.user_info ? userInfo(creds!) : null, authenticator: 'LEVEL_1' as const };
        },
      }),
      defineMethod({
        name: 'auth.login',
        audit: 'login',
        description: 'Logs in with the admin user name and password (legacy; prefer auth.login_ex). Returns false for wrong credentials.',
        args: [
          { name: 'username', schema: boundedString(MAX_NAME) },
          { name: 'password', schema: boundedString(MAX_TEXT) },
          { name: 'otp_token', schema: boundedString(MAX_TEXT).nullable().optional() },
        ],
        result: z.boolean(),
        roles: [],
        public: true,
        async handler(ctx, username, password) {
          return login(ctx, await auth.password(username, password, sessionOf(ctx).remoteAddress));
        },
      }),
      defineMethod({
        name: 'auth.login_with_api_key',
        audit: 'login',
        description: 'Logs in with an API key (<id>-<secret>). Returns false for a wrong key.',
        args: [{ name: 'api_key', schema: boundedString(MAX_TEXT) }],
        result: z.boolean(),
        roles: [],
        public: true,
        handler(ctx, key) {
          return loginWithKey(ctx, key, auth.apiKey(key, null, sessionOf(ctx).remoteAddress));
        },
      }),
      defineMethod({
        name: 'auth.mechanism_choices',
        description: 'The login_ex mechanisms this daemon accepts.',
        args: [],
        result: z.array(z.string()),
        roles: [],
        public: true,
        handler: () => ['SCRAM', 'API_KEY_PLAIN', 'PASSWORD_PLAIN'],
      }),
      defineMethod({
        name: 'auth.me',
        description: 'Who the connection is logged in as.',
        args: [],
        result: UserInfo,
        roles: [],
        handler: (ctx) => userInfo(ctx.credentials),
      }),
      defineMethod({
        name: 'auth.logout',
        description: 'Logs the connection out (a Unix-socket connection stays root).',
        args: [],
        result: z.boolean(),
        roles: [],
        handler(ctx) {
          sessionOf(ctx).setCredentials(null);
          return true;
        },
      }),
      defineMethod({
        name: 'api_key.create',
        description: 'Creates an API key. The result carries the key (<id>-<64 alphanumerics>, TrueNAS\'s format) once; only its hash and SCRAM verifier are stored.',
        args: [{ name: 'api_key_create', schema: ApiKeyCreate }],
        result: ApiKeyEntry.extend({ key: z.string() }),
        roles: ['API_KEY_WRITE'],
        async handler(call, data) {
          const v = new ValidationErrors();
          const username = data.username ?? call.credentials.username;
          if (keys.all().some((k) => k.name === data.name)) v.add('api_key_create.name', 'API key with this name already exists', Errno.EEXIST);
          if (!auth.knownUser(username)) v.add('api_key_create.username', `User ${username} does not exist`);
          v.check();
          const { row, key } = await keys.create(data.name, username);
          publishCrud(ctx.events, API_KEY_EVENT, 'added', row.id);
          return { ...entryOf(row), key };
        },
      }),
      ...queryMethods({
        namespace: 'api_key',
        verboseName: 'API Key',
        roles: ['API_KEY_READ'],
        entry: ApiKeyEntry,
        description: 'API keys (without the keys themselves).',
        list: () => keys.all().map(entryOf),
      }),
      defineMethod({
        name: 'api_key.delete',
        description: 'Deletes (revokes) an API key: new logins with it fail, and connections logged in with it are logged out at once (their subscriptions end).',
        args: [{ name: 'id', schema: z.number().int() }],
        result: z.literal(true),
        roles: ['API_KEY_WRITE'],
        async handler(_ctx, id) {
          if (!(await keys.delete(id))) throw new ValidationErrors().add(null, `API Key ${id} does not exist`, Errno.ENOENT);
          keySessions.revoke(id);
          publishCrud(ctx.events, API_KEY_EVENT, 'removed', id);
          return true as const;
        },
      }),
    ]);
  },
};
