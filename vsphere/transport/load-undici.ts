/**
 * undici, loaded on the first request rather than at start-up: its code and llhttp's WebAssembly
 * cost about 10 MB of resident memory that a program talking to no vCenter should not pay. The
 * library's own loader (it depends on no application module); a bundler makes it a chunk of its own.
 */
import type * as Undici from 'undici';

let loaded: Promise<typeof Undici> | undefined;

/**
 * undici's exports, imported once. undici is CommonJS: Node's loader offers its properties as named
 * exports too, but a bundle that follows Node's rule strictly (esbuild) offers only `default`, which
 * is `module.exports` in both, so `default` is preferred when present.
 */
export function loadUndici(): Promise<typeof Undici> {
  return (loaded ??= import('undici').then((ns) => {
    const def: unknown = 'default' in ns ? ns.default : undefined;
    return def && typeof def === 'object' ? (def as typeof Undici) : ns;
  }));
}
