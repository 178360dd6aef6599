/**
 * A real SMTP server on loopback (the smtp-server library) that requires AUTH (PLAIN/LOGIN over
 * plain text: STARTTLS off) from one user and keeps every mail it accepts, for the tests of Mail
 * alert services. Closed at teardown.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Teardown } from './daemon.js';

/** A mail the receiver accepted. */
export interface ReceivedMail {
  /** Envelope sender ('' for none). */
  readonly from: string;
  /** Envelope recipients. */
  readonly to: string[];
  /** The message as sent (headers and body, CRLF line ends). */
  readonly data: string;
  /** The user that logged in. */
  readonly user: string | undefined;
}

/** Starts the receiver for `username`/`password`; every other login is refused. */
export async function smtpReceiver(t: Teardown, login: { username: string; password: string }): Promise<{ port: number; mails: ReceivedMail[] }> {
  const mails: ReceivedMail[] = [];
  const smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === login.username && auth.password === login.password) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), data, user: session.user as string | undefined });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => smtp.close(() => r())));
  return { port: (smtp.server.address() as AddressInfo).port, mails };
}
