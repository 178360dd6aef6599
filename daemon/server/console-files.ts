/**
 * The web console's static files under `/ui/` (built by client/console/build.ts into
 * client/console/dist). Only the files found in that folder are served, looked up by exact name
 * (no path is ever joined from the request, so `..` and encoded slashes cannot leave it); `/ui`
 * redirects to `/ui/`, which is `index.html`. Every answer carries a strict Content-Security-Policy:
 * scripts, styles, images and the WebSocket only from the page's own origin, nothing inline, no
 * frames, no form posts, no plugins.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { INSTALL_ROOT } from '../install-root.js';

/** URL prefix of the console. */
export const CONSOLE_PATH = '/ui/';

/** Where the built console lives (client/console/dist of this repository or of the install). */
export const CONSOLE_DIST = join(INSTALL_ROOT, 'client/console/dist');

/**
 * The policy of every console answer. `connect-src 'self'` covers the same-origin `ws:`/`wss:`
 * socket (CSP Level 3 matches them against 'self'); `img-src data:` is for nothing but the
 * browser's own form controls.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Content types by file extension; files of other types are not served. */
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

interface ConsoleFile {
  readonly body: Buffer;
  readonly type: string;
}

/** Reads the built files (name → body and type); empty when the console was not built. */
function loadFiles(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return files;
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return files;
}

/** Serves the console. The files are read once, on the first request that finds them built. */
export class ConsoleFiles {
  readonly #dir: string;
  #files = new Map<string, ConsoleFile>();

  /** @param dir the built console (default {@link CONSOLE_DIST}) */
  constructor(dir = CONSOLE_DIST) {
    this.#dir = dir;
  }

  /** True for `/ui` and everything under `/ui/` (the caller hands those requests to {@link serve}). */
  handles(pathname: string): boolean {
    return pathname === '/ui' || pathname.startsWith(CONSOLE_PATH);
  }

  /**
   * Answers a request for `pathname` (already known to be handled): 200 with the file, 301 from
   * `/ui`, 404 for anything not built, 405 for methods other than GET/HEAD, 503 when the console
   * was not built at all.
   */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    for (const [k, v] of Object.entries(HEADERS)) res.setHeader(k, v);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return this.#text(res, 405, 'Method Not Allowed\n');
    }
    if (pathname === '/ui') {
      res.setHeader('Location', CONSOLE_PATH);
      return this.#text(res, 301, `Moved to ${CONSOLE_PATH}\n`);
    }
    if (this.#files.size === 0) this.#files = loadFiles(this.#dir);
    if (this.#files.size === 0) return this.#text(res, 503, 'The web console is not built: run `npm run build:console`\n');
    const name = pathname === CONSOLE_PATH ? 'index.html' : pathname.slice(CONSOLE_PATH.length);
    const file = this.#files.get(name);
    if (!file) return this.#text(res, 404, 'Not Found\n');
    res.statusCode = 200;
    res.setHeader('Content-Type', file.type);
    res.setHeader('Content-Length', file.body.length);
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  #text(res: ServerResponse, status: number, body: string): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(body);
  }
}
