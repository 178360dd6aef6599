/**
 * Runs the `zfs`/`zpool` binaries through execa with argument arrays (never a shell), in the C
 * locale so messages and numbers are stable, and turns failures into CallErrors (`errors.ts`).
 * execa is imported by the first command, not at start-up (see daemon/lazy.ts).
 */
import { loadExeca } from '../../../daemon/lazy.js';
import { mapZfsFailure } from './errors.js';
import { MOUNTING_SUBCOMMANDS } from './host-mounts.js';

/** Where the binaries are and how long one command may take. */
export interface ZfsBinaries {
  /** Path or command name of `zfs` (default `zfs`, found on PATH). */
  readonly zfsPath: string;
  /** Path or command name of `zpool`. */
  readonly zpoolPath: string;
  /** Per-command time limit in ms. */
  readonly timeoutMs: number;
  /**
   * Command prefix for the zfs subcommands that mount or unmount (host-mounts.ts's
   * MOUNTING_SUBCOMMANDS), e.g. systemd-run's; empty: run them directly. Default empty.
   */
  readonly mountVia?: readonly string[];
}

/** The configured path of `tool`'s binary. */
function binaryPath(bin: ZfsBinaries, tool: 'zfs' | 'zpool'): string {
  return tool === 'zfs' ? bin.zfsPath : bin.zpoolPath;
}

/** The program and arguments that run `tool args…`: through `mountVia` when the command mounts. */
export function commandLine(bin: ZfsBinaries, tool: 'zfs' | 'zpool', args: readonly string[]): { file: string; args: string[] } {
  const path = binaryPath(bin, tool);
  const via = bin.mountVia ?? [];
  if (tool === 'zfs' && via.length > 0 && MOUNTING_SUBCOMMANDS.has(args[0] ?? '')) return { file: via[0]!, args: [...via.slice(1), path, ...args] };
  return { file: path, args: [...args] };
}

/** What a finished command printed. */
export interface RunOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Runs commands; injectable so the adapter's parsing can be unit-tested. */
export interface CommandRunner {
  /** Runs `tool args…`; resolves on exit code 0, otherwise rejects with a mapped CallError. */
  run(tool: 'zfs' | 'zpool', args: readonly string[], signal?: AbortSignal): Promise<RunOutput>;
  /**
   * Like run, but resolves with the output whatever the exit code (feature probes, listings that
   * may race with destroys). Still rejects when the binary cannot be started.
   */
  probe(tool: 'zfs' | 'zpool', args: readonly string[], signal?: AbortSignal): Promise<RunOutput>;
  /**
   * Runs `tool args…` and counts stdout bytes, stopping (killing the process) once more than
   * `limit` bytes arrived. Resolves with the count (≤ limit + one chunk).
   */
  countStdout(tool: 'zfs' | 'zpool', args: readonly string[], limit: number, signal?: AbortSignal): Promise<number>;
}

const ENV = { LC_ALL: 'C', LANG: 'C' };

/** The execa-backed runner. */
export function createCommandRunner(bin: ZfsBinaries): CommandRunner {

  async function exec(tool: 'zfs' | 'zpool', args: readonly string[], signal?: AbortSignal) {
    const { execa } = await loadExeca();
    const command = commandLine(bin, tool, args);
    return execa(command.file, command.args, {
      reject: false,
      stdin: 'ignore',
      env: ENV,
      timeout: bin.timeoutMs,
      cancelSignal: signal,
      stripFinalNewline: false,
    });
  }

  return {
    async run(tool, args, signal) {
      const r = await exec(tool, args, signal);
      const stdout = typeof r.stdout === 'string' ? r.stdout : '';
      const stderr = typeof r.stderr === 'string' ? r.stderr : '';
      if (!r.failed && r.exitCode === 0) return { stdout, stderr, exitCode: 0 };
      throw mapZfsFailure({
        command: `${tool} ${args[0] ?? ''}`.trim(),
        exitCode: r.exitCode,
        stderr,
        spawnCode: typeof r.code === 'string' ? r.code : undefined,
        binary: binaryPath(bin, tool),
        timedOut: r.timedOut,
        canceled: r.isCanceled,
      });
    },

    async probe(tool, args, signal) {
      const r = await exec(tool, args, signal);
      if (typeof r.code === 'string' && r.code.startsWith('E') && r.exitCode === undefined) {
        throw mapZfsFailure({ command: `${tool} ${args[0] ?? ''}`.trim(), exitCode: undefined, stderr: '', spawnCode: r.code, binary: binaryPath(bin, tool) });
      }
      return {
        stdout: typeof r.stdout === 'string' ? r.stdout : '',
        stderr: typeof r.stderr === 'string' ? r.stderr : '',
        exitCode: r.exitCode ?? -1,
      };
    },

    async countStdout(tool, args, limit, signal) {
      const { execa } = await loadExeca();
      const command = commandLine(bin, tool, args);
      const child = execa(command.file, command.args, {
        reject: false,
        stdin: 'ignore',
        env: ENV,
        timeout: bin.timeoutMs,
        cancelSignal: signal,
        buffer: { stdout: false, stderr: true },
      });
      let count = 0;
      let stopped = false;
      child.stdout?.on('data', (chunk: Buffer) => {
        count += chunk.length;
        if (count > limit && !stopped) {
          stopped = true;
          child.kill('SIGTERM');
        }
      });
      const r = await child;
      if (stopped) return count;
      if (!r.failed && r.exitCode === 0) return count;
      throw mapZfsFailure({
        command: `${tool} ${args[0] ?? ''}`.trim(),
        exitCode: r.exitCode,
        stderr: typeof r.stderr === 'string' ? r.stderr : '',
        spawnCode: typeof r.code === 'string' ? r.code : undefined,
        binary: binaryPath(bin, tool),
        timedOut: r.timedOut,
        canceled: r.isCanceled,
      });
    },
  };
}
