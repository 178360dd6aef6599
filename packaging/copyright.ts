/**
 * The .deb's /usr/share/doc/vsnapd/copyright in the machine-readable DEP-5 format
 * (https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/): the template
 * packaging/debian/copyright.in (header, vsnapd's own BSD-2-Clause files and licence) with, in place
 * of `${Generated}`, a Files paragraph for the JavaScript bundles (every bundled npm package's
 * copyright notices, their licences and a list of them, from the data packaging/bundle.mjs writes),
 * one for the Node.js runtime (the notices and library list of its LICENSE file), and a standalone
 * License paragraph per licence they use. Apache-2.0 points to /usr/share/common-licenses, as Debian
 * policy §12.5 asks; the other texts come from the first bundled package with that licence.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A bundled npm package (an entry of dist/THIRD-PARTY-LICENSES.json, written by packaging/bundle.mjs). */
export interface BundledPackage {
  readonly name: string;
  readonly version: string;
  /** Its package.json `license` (SPDX expression), or `unknown`. */
  readonly license: string;
  /** Its licence file's text. */
  readonly text: string;
}

/** DEP-5 short names for SPDX ids where they differ (DEP-5 calls MIT "Expat": "MIT" is ambiguous). */
const DEP5_NAMES: Readonly<Record<string, string>> = { MIT: 'Expat' };

/** DEP-5 name of an SPDX id. */
const dep5Name = (spdx: string): string => DEP5_NAMES[spdx] ?? spdx;

/** Licences Debian ships in /usr/share/common-licenses (DEP-5 name → file name). */
const COMMON_LICENSES: Readonly<Record<string, string>> = { 'Apache-2.0': 'Apache-2.0' };

/** A field value's continuation lines: each line indented by one space, empty lines as " .". */
function continuation(lines: readonly string[]): string {
  return lines.map((l) => (l.trim() === '' ? ' .' : ` ${l.trimEnd()}`)).join('\n');
}

/**
 * The copyright notices of a licence text: lines starting "Copyright (c)", "Copyright 2020",
 * "Copyright Joyent, Inc.", "(c) 2020" or "©", without the word Copyright.
 */
export function copyrightNotices(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^([Cc]opyright|COPYRIGHT)\s+(\([cC]\)|©|\d{4}|[A-Z])|^\([cC]\)\s*\d{4}|^©/.test(l))
    .map((l) => l.replace(/^copyright\s*/i, ''));
}

/** The licence's terms without its title and copyright lines: from the first "Permission …"/"Redistribution …" line on. */
function licenceTerms(text: string): string[] | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s*(Permission|Redistribution)\b/.test(l));
  return start < 0 ? undefined : lines.slice(start);
}

/**
 * The Node.js runtime's LICENSE for the node binary at `node`: `<prefix>/LICENSE` (nodejs.org
 * tarballs) or `<prefix>/share/doc/nodejs/LICENSE` (Debian-style nodejs packages). Throws naming
 * the places looked at when there is none.
 */
export function nodeLicenseFile(node: string): string {
  const prefix = dirname(dirname(node));
  const candidates = [join(prefix, 'LICENSE'), join(prefix, 'share/doc/nodejs/LICENSE'), join(prefix, 'share/doc/node/LICENSE')];
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new Error(`no LICENSE file of the Node.js runtime ${node} (looked at ${candidates.join(', ')}); the .deb must carry it`);
  return found;
}

/** The Files paragraph of /usr/lib/vsnapd/node from Node.js's LICENSE text. */
function nodeParagraph(nodeLicense: string): string {
  const notices = [...new Set(copyrightNotices(nodeLicense.split(/^- /m)[0] ?? ''))];
  const libraries = [...nodeLicense.matchAll(/^- ([^,\n]+), located at/gm)].map((m) => m[1]!.trim());
  if (notices.length === 0 || libraries.length === 0) throw new Error('the Node.js LICENSE file has no copyright notice or no library list; is it the runtime\'s LICENSE?');
  return [
    'Files: usr/lib/vsnapd/node',
    `Copyright: ${continuation(notices).trimStart()}`,
    'License: Expat',
    'Comment: The Node.js runtime. Its own code is under the Expat licence; the libraries built',
    ` into it carry their own licences, given with their full texts in NODE-LICENSE.txt: ${libraries.join(', ')}.`,
  ].join('\n');
}

/** The Files paragraph of the JavaScript bundles and the DEP-5 names of the licences it uses. */
function bundleParagraph(packages: readonly BundledPackage[]): { paragraph: string; licences: string[] } {
  const licences = [...new Set(packages.flatMap((p) => p.license.replace(/[()]/g, ' ').split(/\s+(?:OR|AND)\s+|\s+/).filter(Boolean).map(dep5Name)))].sort();
  const notices = [...new Set(packages.flatMap((p) => {
    const own = copyrightNotices(p.text);
    return own.length > 0 ? own : [`the ${p.name} authors`];
  }))];
  const list = packages.map((p) => `${p.name} ${p.version} (${p.license})`);
  const paragraph = [
    'Files: usr/lib/vsnapd/dist/*',
    `Copyright: 2026 vsnapd developers\n${continuation(notices)}`,
    `License: BSD-2-Clause and ${licences.join(' and ')}`,
    `Comment: vsnapd's code with the npm packages bundled into it:\n${continuation(list)}`,
  ].join('\n');
  return { paragraph, licences };
}

/** A standalone License paragraph for DEP-5 name `name`, its text from the first package under it. */
function licenceParagraph(name: string, packages: readonly BundledPackage[]): string {
  const common = COMMON_LICENSES[name];
  if (common) {
    return `License: ${name}\n On Debian systems, the full text of the ${name} licence is in\n /usr/share/common-licenses/${common}.`;
  }
  for (const p of packages) {
    if (!p.license.split(/[\s()]+/).map(dep5Name).includes(name)) continue;
    const terms = licenceTerms(p.text);
    if (terms) return `License: ${name}\n${continuation(terms)}`;
  }
  throw new Error(`no bundled package gives the text of licence ${name}; add it to packaging/copyright.ts`);
}

/**
 * The copyright file: `template` (packaging/debian/copyright.in) with `${Maintainer}` and
 * `${Generated}` filled in (see the module comment). Throws when a licence's text cannot be found.
 */
export function debianCopyright(template: string, maintainer: string, packages: readonly BundledPackage[], nodeLicense: string): string {
  const bundle = bundleParagraph(packages);
  const generated = [
    bundle.paragraph,
    nodeParagraph(nodeLicense),
    // Expat for the runtime too; BSD-2-Clause is vsnapd's own, in the template.
    ...[...new Set([...bundle.licences, 'Expat'])].filter((l) => l !== 'BSD-2-Clause').sort().map((l) => licenceParagraph(l, packages)),
  ].join('\n\n');
  return template.replaceAll('${Maintainer}', maintainer).replace('${Generated}', generated);
}
