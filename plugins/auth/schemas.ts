/** Schemas of the `auth.*` and `api_key.*` methods and of the plugin's config section. */
import { z } from 'zod';
import { WireDateSchema } from '../../daemon/wire/date.js';
import { isPasswordHash } from '../../daemon/auth/password.js';
import { MAX_ITERATIONS, MIN_ITERATIONS } from '../../daemon/auth/scram.js';
import { boundedString, MAX_NAME, MAX_TEXT } from '../../daemon/registry/bounds.js';

/** The `auth` config section. */
export const AuthConfig = z.strictObject({
  admin: z
    .strictObject({
      username: z.string().min(1).default('admin').describe('User name for PASSWORD_PLAIN logins'),
      password_hash: z
        .string()
        .refine(isPasswordHash, 'expected a hash printed by `node --import tsx daemon/main.ts hash-password`')
        .nullable()
        .default(null)
        .describe('scrypt hash of the admin password; null disables password logins'),
    })
    .prefault({}),
  login_rate_limit: z
    .strictObject({
      max_failures: z.number().int().min(1).default(5).describe('Failed logins allowed per peer address within the window'),
      window_seconds: z.number().min(1).default(60).describe('Length of the window (seconds)'),
    })
    .prefault({}),
  scram_iterations: z
    .number()
    .int()
    .min(MIN_ITERATIONS)
    .max(MAX_ITERATIONS)
    .default(500_000)
    .describe(`PBKDF2-HMAC-SHA512 rounds of the SCRAM verifier of new API keys (TrueNAS: 500000; its clients accept ${MIN_ITERATIONS} to ${MAX_ITERATIONS})`),
});

const LoginOptions = z.strictObject({ user_info: z.boolean().default(true) }).prefault({});

/** `auth.login_ex` login data (TrueNAS 25.04+ mechanisms that vsnapd supports). */
export const LoginData = z.discriminatedUnion('mechanism', [
  z.strictObject({
    mechanism: z.literal('API_KEY_PLAIN'),
    username: boundedString(MAX_NAME).describe('The user the key belongs to'),
    api_key: boundedString(MAX_TEXT).describe('The key as api_key.create returned it: <id>-<secret>'),
    login_options: LoginOptions,
  }),
  z.strictObject({
    mechanism: z.literal('PASSWORD_PLAIN'),
    username: boundedString(MAX_NAME),
    password: boundedString(MAX_TEXT),
    login_options: LoginOptions,
  }),
  z.strictObject({
    mechanism: z.literal('SCRAM'),
    scram_type: z.enum(['CLIENT_FIRST_MESSAGE', 'CLIENT_FINAL_MESSAGE']).describe('Which client message rfc_str holds'),
    rfc_str: z.string().max(4096).describe('The RFC 5802 message: `n,,n=<username>:<api key id>,r=<nonce>`, then `c=…,r=…,p=<proof>`'),
    login_options: LoginOptions,
  }),
]);

/** What `auth.me` and successful logins report about the user (a subset of TrueNAS's user_info). */
export const UserInfo = z.object({
  pw_name: z.string(),
  pw_uid: z.number().int().nullable(),
  pw_gid: z.number().int().nullable(),
  pw_gecos: z.string(),
  pw_dir: z.string(),
  pw_shell: z.string(),
  local: z.boolean(),
  account_attributes: z.array(z.string()).describe('LOCAL plus how the session logged in: API_KEY, PASSWORD_LOGIN or UNIX_SOCKET'),
  privilege: z.object({ roles: z.array(z.string()), web_shell: z.boolean() }),
  attributes: z.record(z.string(), z.unknown()),
});

/** `auth.login_ex` response. */
export const LoginResponse = z.discriminatedUnion('response_type', [
  z.object({
    response_type: z.literal('SUCCESS'),
    user_info: UserInfo.nullable(),
    authenticator: z.literal('LEVEL_1'),
  }),
  z.object({ response_type: z.literal('AUTH_ERR') }),
  z.object({
    response_type: z.literal('SCRAM_RESPONSE'),
    scram_type: z.enum(['SERVER_FIRST_RESPONSE', 'SERVER_FINAL_RESPONSE']),
    rfc_str: z.string(),
    user_info: UserInfo.nullable().optional().describe('Set with SERVER_FINAL_RESPONSE (the connection is logged in)'),
  }),
]);

/** An API key as `api_key.query` returns it (never the key or its hash). */
export const ApiKeyEntry = z.object({
  id: z.number().int(),
  name: z.string(),
  username: z.string(),
  created_at: WireDateSchema,
  expires_at: z.null(),
  revoked: z.boolean(),
  local: z.boolean(),
});

/** `api_key.create` input. */
export const ApiKeyCreate = z.strictObject({
  name: z.string().min(1).max(200).describe('A unique name for the key'),
  username: boundedString(MAX_NAME).min(1).optional().describe('User the key logs in as (default: the caller)'),
});
