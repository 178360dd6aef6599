/**
 * The TCP listener's TLS material: a configured certificate and key (PEM files), or a self-signed
 * certificate generated on first start into `<data_dir>/tls/` and reused afterwards. A missing,
 * unreadable or mismatched file is a ConfigError naming the file (the daemon exits 2).
 *
 * node:crypto can create keys but not X.509 certificates, so generation uses `selfsigned` (a
 * maintained npm library, ECDSA P-256 with SHA-256 here), loaded only when a certificate is generated.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { tlsServerEndPoint } from '../auth/channel-binding.js';
import type { TlsSettings } from '../config/load.js';
import { ConfigError } from '../config/errors.js';
import { loadSelfsigned } from '../lazy.js';

/** What the HTTPS server and SCRAM-PLUS need. */
export interface TlsMaterial {
  /** PEM certificate (chain, leaf first). */
  readonly cert: Buffer;
  /** PEM private key. */
  readonly key: Buffer;
  /** RFC 5929 tls-server-end-point data of the leaf certificate, for SCRAM-PLUS. */
  readonly channelBinding: Buffer;
  /** Where the certificate came from (for the start-up log line). */
  readonly certificateFile: string;
}

/** Validity of a generated certificate, days (the 825-day ceiling browsers accept). */
export const SELF_SIGNED_DAYS = 825;

function readPem(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`${setting}: cannot read ${file} (${code})`);
  }
}

/** Checks that `cert`/`key` parse and belong together; ConfigError naming the file otherwise. */
function material(cert: Buffer, key: Buffer, certFile: string, keyFile: string): TlsMaterial {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new ConfigError(`listen.tls.certificate: ${certFile} is not a PEM certificate (${(err as Error).message})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new ConfigError(`listen.tls.private_key: ${keyFile} is not a PEM private key (${(err as Error).message})`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new ConfigError(`listen.tls.private_key: ${keyFile} is not the key of the certificate in ${certFile}`);
  }
  let channelBinding: Buffer;
  try {
    channelBinding = tlsServerEndPoint(x509.raw);
  } catch (err) {
    throw new ConfigError(`listen.tls.certificate: ${certFile}: ${(err as Error).message}`);
  }
  return { cert, key, channelBinding, certificateFile: certFile };
}

/**
 * A self-signed certificate for `names` (host names and IP addresses for subjectAltName), generated
 * into `dir` when absent, else the one already there. Its key file is 0600.
 */
async function selfSigned(dir: string, names: readonly string[]): Promise<TlsMaterial> {
  const certFile = join(dir, 'vsnapd.crt');
  const keyFile = join(dir, 'vsnapd.key');
  try {
    return material(readFileSync(certFile), readFileSync(keyFile), certFile, keyFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const altNames = [...new Set(['localhost', '127.0.0.1', '::1', ...names])].map((n) =>
    isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n },
  );
  const { generate } = await loadSelfsigned();
  const pems = await generate([{ name: 'commonName', value: names.find((n) => !isIP(n)) ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + SELF_SIGNED_DAYS * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, pems.cert, { mode: 0o644 });
  return material(Buffer.from(pems.cert), Buffer.from(pems.private), certFile, keyFile);
}

/**
 * Loads (or, for `self_signed`, creates under `<dataDir>/tls`) the TLS material. `names`: the listen
 * host and `api.server_names`, put in a generated certificate. Throws ConfigError naming the file.
 */
export async function loadTls(settings: TlsSettings, dataDir: string, names: readonly string[]): Promise<TlsMaterial> {
  if (settings.kind === 'self_signed') return selfSigned(join(dataDir, 'tls'), names);
  const cert = readPem(settings.certificate, 'listen.tls.certificate');
  const key = readPem(settings.privateKey, 'listen.tls.private_key');
  return material(cert, key, settings.certificate, settings.privateKey);
}
