/**
 * Sending one alert to one service, once, within `timeoutMs`:
 * - Mail: through the SMTP settings (nodemailer; `security` PLAIN = no TLS, SSL = implicit TLS,
 *   TLS = STARTTLS required; certificates verified);
 * - Slack: `{"text": "<host>: <LEVEL>: <text>"}` POSTed to the webhook URL (TrueNAS's format);
 * - Webhook: `{"hostname", "alert": <alert.list entry>}` POSTed as JSON.
 * HTTP errors name the host only: the URL's path carries the receiver's token; and every reason
 * passes {@link redactUrls}, so a URL quoted by fetch or a server loses its userinfo and query values.
 * @throws Error with the reason (timeout, refused, HTTP status, SMTP reply).
 */
import { hostname } from 'node:os';
import type { AlertEntry } from '../../daemon/alerts/index.js';
import { loadNodemailer } from '../../daemon/lazy.js';
import { redactUrls } from '../../daemon/redact.js';
import type { Attributes } from './schemas.js';
import type { MailRow } from './store.js';

/** The alert line as services show it. */
export function alertLine(alert: Pick<AlertEntry, 'level' | 'formatted' | 'klass'>): string {
  return `${alert.level}: ${alert.formatted ?? alert.klass}`;
}

/** Rejects after `ms` with `what` timed out (the work itself is abandoned, its sockets closed by their own timeouts). */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function post(url: string, body: unknown, timeoutMs: number): Promise<void> {
  const host = new URL(url).host;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new Error(`POST to ${host} failed: ${why}`);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`POST to ${host} failed: HTTP ${res.status} ${res.statusText}`.trim());
}

async function sendMail(to: string, alert: AlertEntry, m: MailRow, timeoutMs: number): Promise<void> {
  if (!m.outgoingserver) throw new Error('no outgoing mail server is set (mail.update {"outgoingserver": …})');
  const nodemailer = await loadNodemailer();
  const transport = nodemailer.createTransport({
    host: m.outgoingserver,
    port: m.port,
    secure: m.security === 'SSL',
    requireTLS: m.security === 'TLS',
    ignoreTLS: m.security === 'PLAIN',
    ...(m.smtp ? { auth: { user: m.user, pass: m.pass } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const from = m.fromemail || `vsnapd@${hostname()}`;
  try {
    await within(
      timeoutMs,
      `mail to ${m.outgoingserver}:${m.port}`,
      transport.sendMail({
        from: m.fromname ? { name: m.fromname, address: from } : from,
        to,
        subject: `vsnapd @ ${hostname()}: ${alertLine(alert).slice(0, 150)}`,
        text: `${alertLine(alert)}\n\nAlert ${alert.klass}, raised ${new Date(alert.datetime.$date).toISOString()} on ${hostname()}.\n`,
      }),
    );
  } catch (err) {
    throw new Error(`mail to ${m.outgoingserver}:${m.port} failed: ${(err as Error).message}`);
  } finally {
    transport.close();
  }
}

function send(attributes: Attributes, alert: AlertEntry, mail: MailRow, timeoutMs: number): Promise<void> {
  switch (attributes.type) {
    case 'Mail':
      return sendMail(attributes.email, alert, mail, timeoutMs);
    case 'Slack':
      return post(attributes.url, { text: `${hostname()}: ${alertLine(alert)}` }, timeoutMs);
    case 'Webhook':
      return post(attributes.url, { hostname: hostname(), alert }, timeoutMs);
  }
}

/** Sends `alert` to the service once. @throws Error with the reason, URLs in it redacted. */
export async function sendAlert(attributes: Attributes, alert: AlertEntry, mail: MailRow, timeoutMs: number): Promise<void> {
  try {
    await send(attributes, alert, mail, timeoutMs);
  } catch (err) {
    throw new Error(redactUrls(err instanceof Error ? err.message : String(err)));
  }
}
