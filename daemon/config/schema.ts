/**
 * The core sections of the config file (`etc/vsnapd.json`). Plugin sections (`auth`, `vmware`, …)
 * sit beside them at the top level and are parsed by their plugin through `PluginContext.config`.
 * Every field has a default, so an empty file (or none) is a working configuration.
 */
import { z } from 'zod';

/** Log levels pino understands. */
export const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** vsnapd's own default TCP port: not TrueNAS middlewared's 6000, so both can run on one host. */
export const DEFAULT_PORT = 6080;

/** TLS on the TCP listener (wss://). On when a certificate is configured or `self_signed` is true. */
export const TlsConfig = z
  .strictObject({
    certificate: z.string().min(1).nullable().default(null).describe('PEM certificate (chain) file; relative paths are relative to the config file'),
    private_key: z.string().min(1).nullable().default(null).describe('PEM private key file of the certificate'),
    self_signed: z
      .boolean()
      .default(false)
      .describe('Without a certificate: generate a self-signed one on first start (<data_dir>/tls/vsnapd.crt and .key) and reuse it after'),
  })
  .refine((t) => (t.certificate === null) === (t.private_key === null), {
    message: 'certificate and private_key go together: set both or neither',
    path: ['private_key'],
  });

/** Where the API listens. */
export const ListenConfig = z.strictObject({
  host: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('TCP address to bind: an IPv4 or IPv6 address or host name (`0.0.0.0`, `::` for every interface)'),
  port: z.number().int().min(0).max(65535).default(DEFAULT_PORT).describe(`TCP port (0 picks a free one); ${DEFAULT_PORT} by default, not TrueNAS's 6000`),
  socket: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe('Unix socket path (mode 0600, trusted as root); null = /run/vsnapd/vsnapd.sock as root, else a per-user run folder'),
  tls: TlsConfig.prefault({}),
});

/** Limits of the JSON-RPC API. */
export const ApiConfig = z.strictObject({
  max_frame_bytes: z
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024)
    .describe('Largest WebSocket message accepted, in bytes; larger ones close the connection with 1009'),
  max_concurrent_calls: z
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Calls one connection may have in flight; more are refused with -32000 (TrueNAS: 20)'),
  max_nesting: z.number().int().min(8).max(1000).default(64).describe('Deepest JSON nesting accepted in a request'),
  allowed_origins: z
    .array(z.string().min(1))
    .default([])
    .describe('Cross-site browser origins (`https://console.example.com`) allowed to open the socket; requests without Origin, same-origin ones and any over the Unix socket are allowed anyway'),
  server_names: z
    .array(z.string().min(1).regex(/^[A-Za-z0-9.-]+$/, 'a host name without scheme or port'))
    .default([])
    .describe('Host names of this NAS (`nas.example.com`) a same-origin browser may use besides IP literals and localhost (guards against DNS rebinding)'),
  validate_results: z
    .boolean()
    .default(false)
    .describe('Check every result against its method\'s result schema (on in tests, off in production for speed)'),
});

/** Job manager settings. */
export const JobsConfig = z.strictObject({
  shutdown_grace_seconds: z
    .number()
    .min(0)
    .default(10)
    .describe('On SIGTERM, how long running jobs may continue before they are aborted (seconds)'),
  max_finished: z.number().int().min(1).default(1000).describe('Finished jobs kept for core.get_jobs (oldest dropped first)'),
});

/** Where `/metrics`, `/readyz` and `/healthz` are served. */
export const MetricsConfig = z.strictObject({
  listen: z
    .strictObject({
      host: z.string().min(1).max(253).describe('TCP address of the monitoring listener (`0.0.0.0` for every interface)'),
      port: z.number().int().min(0).max(65535).describe('TCP port (0 picks a free one)'),
    })
    .nullable()
    .default(null)
    .describe('A listener of their own; null = served on the API listeners (loopback without login, others with an API key)'),
  require_auth: z
    .boolean()
    .default(false)
    .describe('true: every peer needs an API key (Authorization: Bearer), loopback and the Unix socket included; false: those two read without login'),
});

/** The audit log of write calls and logins. */
export const AuditConfig = z.strictObject({
  max_entries: z.number().int().min(100).max(1_000_000).default(10_000).describe('Audit records of callers with credentials kept (the oldest are dropped first)'),
  max_anonymous_entries: z
    .number()
    .int()
    .min(10)
    .max(1_000_000)
    .default(1000)
    .describe('Audit records of callers without credentials (refused calls, failed logins) kept apart, so they never evict the others (the oldest are dropped first)'),
});

/** The core part of the config file; unknown top-level keys are plugin sections. */
export const CoreConfig = z.looseObject({
  listen: ListenConfig.default(ListenConfig.parse({})),
  data_dir: z.string().min(1).nullable().default(null).describe('Data folder (db, key file); null = /var/lib/vsnapd as root, else ~/.local/state/vsnapd'),
  log_level: LogLevel.default('info'),
  api: ApiConfig.default(ApiConfig.parse({})),
  jobs: JobsConfig.default(JobsConfig.parse({})),
  metrics: MetricsConfig.default(MetricsConfig.parse({})),
  audit: AuditConfig.default(AuditConfig.parse({})),
});

/** The parsed core sections. */
export type CoreConfig = z.output<typeof CoreConfig>;
