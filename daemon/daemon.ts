/**
 * `startDaemon(config)`: the whole daemon in-process (config → log → datastore → alerts → registry →
 * plugin setup → listeners bound → plugin start: schedulers, sweeps → readiness), returning a handle
 * whose `stop()` shuts down gracefully. `main.ts` wraps it with signals and exit codes; tests and
 * embedders may call it directly.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { plugins as defaultPlugins } from '../plugins/index.js';
import { createAlerts } from './alerts/index.js';
import { AuditLog } from './audit/audit-log.js';
import type { DaemonConfig } from './config/load.js';
import { prepareDataDir } from './config/data-dir.js';
import { CoreConfig } from './config/schema.js';
import { datastoreFiles, openDatastore } from './datastore/index.js';
import { EventHub } from './events/event-hub.js';
import { JobManager } from './jobs/job-manager.js';
import { createLogger } from './log.js';
import { createCoreMetrics } from './metrics/core-metrics.js';
import type { Plugin } from './plugin.js';
import { PluginHost } from './plugin-host.js';
import { MethodRegistry } from './registry/registry.js';
import { Caller } from './rpc/caller.js';
import { Dispatcher } from './rpc/dispatch.js';
import { Session } from './rpc/session.js';
import { LegacyProtocol } from './rpc/legacy.js';
import { ApiServer, type ConnectionInfo } from './server/api-server.js';
import { listenMonitoring, monitoringRoutes } from './server/monitoring-routes.js';
import { isLoopback } from './server/peer-access.js';
import { Readiness } from './server/readiness.js';
import { loadTls } from './server/tls.js';
import { notifyReady } from './sd-notify.js';
import { ServiceLocator } from './services.js';

/** A running daemon. */
export interface DaemonHandle {
  /** `ws://host:port/api/current` of the TCP listener (the real port when 0 was asked for). */
  readonly url: string;
  readonly port: number;
  readonly socketPath: string;
  /** `http://host:port` (`https://` with `listen.tls`) of the monitoring listener of its own (`metrics.listen`), or null when served on the API listeners. */
  readonly metricsUrl: string | null;
  /** Graceful stop: stop accepting, let jobs finish (bounded), close connections, stop plugins in reverse, flush the db. Idempotent. */
  stop(): Promise<void>;
}

/** Options for embedding. */
export interface StartOptions {
  /** Root logger (default: pino on stdout at config.logLevel). */
  readonly log?: Logger;
  /** Plugins (default: plugins/index.ts). */
  readonly plugins?: readonly Plugin[];
}

/** On shutdown, how long calls still in flight may take to send their replies (ms). */
const DRAIN_MS = 2000;

/** Waits until no session has a call in flight, or `ms` passed. */
async function drain(sessions: ReadonlySet<Session>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while ([...sessions].some((s) => s.inflight > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Frames queued to a slow client beyond this many max-size frames close its connection. */
const MAX_BUFFERED_FRAMES = 4;

/**
 * Starts the daemon. Throws ConfigError for a bad plugin config section, DatastoreFileError for a
 * damaged db, or an Error when a listener cannot bind; whatever was started is stopped again.
 */
export async function startDaemon(config: DaemonConfig, opts: StartOptions = {}): Promise<DaemonHandle> {
  const log = opts.log ?? createLogger(config.logLevel);
  prepareDataDir(config.dataDir);
  const db = await openDatastore({
    ...datastoreFiles(config.dataDir),
    log: log.child({ component: 'datastore' }),
  });
  const readiness = new Readiness();
  readiness.set('datastore', true);
  const cleanups: (() => Promise<void>)[] = [() => db.close()];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err: unknown) => log.error({ err }, 'cleanup step failed'));
  };
  try {
    const events = new EventHub(log.child({ component: 'events' }));
    const alerts = createAlerts({ db, events, log: log.child({ component: 'alerts' }) });
    const registry = new MethodRegistry();
    const jobs = new JobManager({
      events,
      log: log.child({ component: 'jobs' }),
      maxFinished: config.jobs.max_finished,
      validateArgs: (def, params) => registry.validateArgs(def, params),
      checkResult: config.api.validate_results ? (def, value) => registry.checkResult(def, value) : undefined,
    });
    const metrics = createCoreMetrics({ jobs, events });
    const audit = await AuditLog.open(join(config.dataDir, 'audit.jsonl'), { maxEntries: config.audit.max_entries, maxAnonymousEntries: config.audit.max_anonymous_entries }, log.child({ component: 'audit' }));
    const caller = new Caller({ registry, jobs, validateResults: config.api.validate_results, observers: [metrics.observeCall, audit.observe] });
    const services = new ServiceLocator();
    services.provide('registry', registry);
    services.provide('jobManager', jobs);
    services.provide('eventHub', events);
    services.provide('metrics', metrics.registry);
    services.provide('audit', audit);

    const host = new PluginHost({ config, log, db, events, alerts, jobs, services, registry, caller });
    await host.setup(opts.plugins ?? defaultPlugins);
    cleanups.push(() => host.stop());
    warnUnknownSections(config, log, host.sectionsRead);

    const dispatcher = new Dispatcher(caller, { maxConcurrentCalls: config.api.max_concurrent_calls, maxNesting: config.api.max_nesting }, log.child({ component: 'rpc' }));
    const sessions = new Set<Session>();
    const legacy = new LegacyProtocol(caller, { maxConcurrentCalls: config.api.max_concurrent_calls, maxNesting: config.api.max_nesting }, log.child({ component: 'legacy' }));
    const connect = (ws: WebSocket, { transport, remoteAddress, endpoint, channelBinding }: ConnectionInfo) => {
      const session = new Session(
        {
          transport,
          remoteAddress,
          channelBinding,
          protocol: endpoint,
          send: (text) => {
            if (ws.readyState !== ws.OPEN) return;
            if (ws.bufferedAmount > MAX_BUFFERED_FRAMES * config.api.max_frame_bytes) {
              ws.close(1008, 'Client is not reading its replies');
              return;
            }
            ws.send(text);
          },
        },
        events,
      );
      sessions.add(session);
      const clog = log.child({ session: session.id, transport, remote: remoteAddress, endpoint });
      clog.debug('connection opened');
      ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        void (endpoint === 'legacy' ? legacy.handleMessage(session, buf) : dispatcher.handleMessage(session, buf));
      });
      ws.on('error', (err) => clog.info({ err: err.message }, 'connection error'));
      ws.on('close', (code, reason) => {
        session.close();
        sessions.delete(session);
        clog.debug({ code, reason: reason.toString() }, 'connection closed');
      });
    };
    const monitoring = monitoringRoutes({
      registry: metrics.registry,
      readiness,
      bearer: () => (services.has('bearerAuth') ? services.get('bearerAuth') : null),
      requireAuth: config.metrics.require_auth,
      log: log.child({ component: 'monitoring' }),
    });
    const tls = config.tls ? await loadTls(config.tls, config.dataDir, [config.host, ...config.api.server_names]) : null;
    const own = config.metrics.listen && (await listenMonitoring(config.metrics.listen.host, config.metrics.listen.port, monitoring, tls));
    const closeOwn = () => (own ? new Promise<void>((r) => (own.server.closeAllConnections(), own.server.close(() => r()))) : Promise.resolve());
    cleanups.push(closeOwn);
    const server = new ApiServer({
      host: config.host,
      port: config.port,
      socketPath: config.socketPath,
      maxFrameBytes: config.api.max_frame_bytes,
      allowedOrigins: config.api.allowed_origins,
      serverNames: config.api.server_names,
      tls,
      log: log.child({ component: 'server' }),
      routes: own ? undefined : monitoring,
      onConnection: connect,
    });
    cleanups.push(async () => {
      await server.stopAccepting();
      await server.closeAll();
    });
    const addr = await server.listen();
    readiness.set('listeners', true);
    // Schedulers and start-up sweeps start only once both listeners are bound: an instance that
    // cannot bind (a second daemon, a port in use) must not have touched vCenter or ZFS.
    await host.start();
    readiness.set('plugins', true);
    const metricsUrl = own ? own.url : null;
    log.info({ url: addr.url, socket: addr.socketPath, metricsUrl, dataDir: config.dataDir, configFile: config.configFile }, 'vsnapd ready');
    if (!config.tls && !isLoopback(addr.host)) {
      log.warn({ host: addr.host }, 'the API listens beyond loopback without TLS: keys and passwords of plain logins cross the network in clear text; set listen.tls');
    }
    await notifyReady(log, `listening on ${addr.url} and ${addr.socketPath}`);

    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        log.info('stopping');
        readiness.set('listeners', false);
        await server.stopAccepting();
        await jobs.shutdown(config.jobs.shutdown_grace_seconds * 1000);
        // Let replies already under way (job_wait of the jobs that just ended …) reach their clients.
        await drain(sessions, DRAIN_MS);
        await server.closeAll();
        readiness.set('plugins', false);
        await host.stop();
        await closeOwn();
        await db.flush().catch((err: unknown) => log.error({ err }, 'cannot flush the datastore'));
        await db.close();
        await audit.flush();
        log.info('stopped');
      })());
    return { url: addr.url, port: addr.port, socketPath: addr.socketPath, metricsUrl, stop };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Logs top-level config keys that neither the core nor a plugin reads (likely typos); `_…`/`$…` keys are comments. */
function warnUnknownSections(config: DaemonConfig, log: Logger, read: ReadonlySet<string>): void {
  for (const key of Object.keys(config.sections)) {
    if (!Object.hasOwn(CoreConfig.shape, key) && !read.has(key) && !/^[_$]/.test(key)) {
      log.warn({ section: key, file: config.configFile }, 'config section is not used by the core or any plugin');
    }
  }
}
