/** The real `midclt` process: call, job, subscribe, ping, stdin, remote daemons, errors and exit codes. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { childEnv, runMidclt, startTestDaemon } from '../../helpers/daemon.js';
import { midcltCommand } from '../../helpers/test-build.js';
import { shellQuote } from '../../demo/output.js';

t.test('midclt', async (t) => {
  const d = await startTestDaemon(t);

  t.test('ping and call over the local socket (VSNAPD_SOCKET)', async (t) => {
    // Independent runs go in parallel: each midclt is a fresh node process.
    const [ping, pong, num, obj, str, stdinJson, stdinText, now, count] = await Promise.all([
      d.midclt(['ping']),
      d.midclt(['call', 'core.ping']),
      d.midclt(['call', 'test.echo', '42']),
      d.midclt(['call', 'test.echo', '{"a": [1, true, null]}']),
      d.midclt(['call', 'test.echo', 'not json']),
      d.midclt(['call', 'test.echo', '-'], { input: '{"from": "stdin"}\n' }),
      d.midclt(['call', 'test.echo', '-'], { input: 'plain text\n' }),
      d.midclt(['call', 'test.now']),
      d.midclt(['call', 'core.get_jobs', '[["state", "=", "SUCCESS"]]', '{"count": true}']),
    ]);
    t.match(ping, { code: 0, stdout: 'pong\n', stderr: '' });
    t.match(pong, { code: 0, stdout: 'pong\n' }, 'strings print raw');
    t.match(num, { stdout: '42\n' }, 'numbers print raw');
    t.match(obj, { stdout: '{"a": [1, true, null]}\n' }, "objects print as TrueNAS's midclt prints them (Python's json.dumps)");
    t.match(str, { stdout: 'not json\n' }, 'a non-JSON argument is a string');
    t.match(stdinJson, { stdout: '{"from": "stdin"}\n' });
    t.match(stdinText, { stdout: 'plain text\n' });
    t.match(JSON.parse(now.stdout), { now: { $date: Number } }, 'datetimes print in wire form');
    t.match(count, { code: 0, stdout: /^\d+\n$/ });
  });

  t.test('-j waits for a job, progress on stderr', async (t) => {
    const [r, quiet, id, failed] = await Promise.all([
      d.midclt(['call', '-j', 'test.job', '{"steps": 2, "step_ms": 5, "result": {"done": true}}']),
      d.midclt(['call', '--job', '-q', 'test.job', '{"steps": 1, "step_ms": 1}']),
      d.midclt(['call', 'test.job', '{"steps": 1, "step_ms": 1}']),
      d.midclt(['call', '-j', 'test.job', '{"steps": 0, "fail": "it broke", "fail_errno": 5}']),
    ]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, '{"done": true}\n');
    t.match(r.stderr, /\[ 50%\] step 1\/2\n\[100%\] step 2\/2\n/);
    t.match(quiet, { code: 0, stdout: '{"steps": 1}\n', stderr: '' });
    t.match(id.stdout, /^\d+\n$/, 'without -j the job id prints');
    t.match(failed, { code: 1, stdout: '' });
    t.match(failed.stderr, /\[EIO\] it broke\n$/);
  });

  t.test('failures exit 1 with the reason and validation attributes on stderr', async (t) => {
    const [v, unknown, thrown, timeout, usage, missing, noSocket] = await Promise.all([
      d.midclt(['call', 'test.job', '{"steps": "many", "extra": 1}']),
      d.midclt(['call', 'no.such_method']),
      d.midclt(['call', 'test.throw']),
      d.midclt(['call', 'test.sleep', '5000', '-t', '0.3']),
      d.midclt(['frobnicate']),
      d.midclt(['call']),
      runMidclt(['ping'], { env: { VSNAPD_SOCKET: `${d.tmpDir}/nothing.sock` } }),
    ]);
    t.equal(v.code, 1);
    t.match(v.stderr, /test_job\.steps: Input should be a valid number/);
    t.match(v.stderr, /test_job\.extra: Extra inputs are not permitted/);
    t.match(unknown, { code: 1, stderr: /does not exist/ });
    t.match(thrown, { code: 1, stderr: '[EFAULT] boom\n' });
    t.match(timeout, { code: 1, stderr: /ETIMEDOUT.*300 ms/ });
    t.match(usage, { code: 2, stderr: /unknown command/ });
    t.match(missing, { code: 2, stderr: /missing method/ });
    t.match(noSocket, { code: 1, stderr: /cannot connect \(ENOENT\)/ });
  });

  t.test('subscribe prints events as JSON lines, -n stops after N', async (t) => {
    const sub = d.midclt(['subscribe', 'test.query', '-n', '2']);
    // Publish until the subscriber has seen two events (it subscribes asynchronously).
    const root = await d.root();
    let done = false;
    void sub.then(() => (done = true));
    for (let i = 0; !done && i < 500; i++) {
      await root.call('test.publish', { msg: 'added', id: i });
      await new Promise((r) => setTimeout(r, 20));
    }
    const r = await sub;
    t.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { collection: string; msg: string });
    t.equal(lines.length, 2);
    t.match(lines[0], { collection: 'test.query', msg: 'added' });
  });

  t.test('remote: -u URL -K key, or MIDCLT_URL / MIDCLT_API_KEY', async (t) => {
    const key = await d.apiKey();
    const [me, env, ping, anon, wrong, job] = await Promise.all([
      runMidclt(['-u', d.url, '-K', key, 'call', 'auth.me']),
      runMidclt(['call', 'core.ping'], { env: { MIDCLT_URL: d.url, MIDCLT_API_KEY: key } }),
      runMidclt(['-u', d.url, 'ping']),
      runMidclt(['-u', d.url, 'call', 'auth.me']),
      runMidclt(['-u', d.url, '-K', '1-wrong', 'call', 'auth.me']),
      runMidclt(['-u', d.url, '-K', key, 'call', '-j', 'test.job', '{"steps": 1, "step_ms": 1}']),
    ]);
    t.match(me, { code: 0, stdout: /"pw_name": "root"/ });
    const scram = await runMidclt(['-u', d.url, '-U', 'root', '-K', key, 'call', 'auth.me']);
    t.match(scram, { code: 0, stdout: /"pw_name": "root"/ }, '-U with -K logs in by SCRAM');
    t.match(env, { code: 0, stdout: 'pong\n' });
    t.match(ping, { code: 0, stdout: 'pong\n' }, 'ping needs no login');
    t.match(anon, { code: 1, stderr: '[ENOTAUTHENTICATED] Not authenticated\n' });
    t.match(wrong, { code: 1, stderr: /Login failed: invalid API key/ });
    t.match(job, { code: 0, stdout: '{"steps": 1}\n' });
  });

  t.test("drop-in for TrueNAS's midclt: output, flags and what a new user hit", async (t) => {
    const root = await d.root();
    const keysBefore = (await root.call<unknown[]>('api_key.query')).length;
    const key = await d.apiKey('key-file');
    const keyFile = join(d.tmpDir, 'api.key');
    writeFileSync(keyFile, `${key}\n`);
    const [yes, no, float, unicode, badJson, badJsonStdin, notJob, missing, version, description, waitready, fromFile] = await Promise.all([
      d.midclt(['call', 'test.echo', 'true']),
      d.midclt(['call', 'test.echo', 'false']),
      d.midclt(['call', 'test.echo', '1.5']),
      d.midclt(['call', 'test.echo', '{"name": "caf\u00e9"}']),
      d.midclt(['call', 'test.echo', '{"a": 1,, "b": 2}']),
      d.midclt(['call', 'test.echo', '-'], { input: '[1, 2\n' }),
      d.midclt(['call', '-j', 'api_key.create', '{"name": "must-not-exist"}']),
      d.midclt(['call', 'api_key.get_instance', '9999']),
      d.midclt(['--version']),
      d.midclt(['call', '-j', '-jp', 'description', 'test.job', '{"steps": 2, "step_ms": 1}']),
      d.midclt(['-t', '10', 'waitready']),
      runMidclt(['-u', d.url, '-K', keyFile, 'call', 'core.ping']),
    ]);
    t.match(yes, { code: 0, stdout: 'True\n' }, 'booleans print True/False, as Python does');
    t.match(no, { code: 0, stdout: 'False\n' });
    t.match(float, { stdout: '1.5\n' });
    t.match(unicode, { stdout: '{"name": "caf\\u00e9"}\n' }, 'non-ASCII escaped as json.dumps does');
    t.match(badJson, { code: 2, stdout: '' }, 'JSON-looking but invalid: refused, nothing called');
    t.match(badJson.stderr, /argument 1 looks like JSON but is not valid JSON at character 9/);
    t.match(badJson.stderr, /\{"a": 1,, "b": 2\}\n\s+\^/, 'shows where it breaks');
    t.match(badJsonStdin, { code: 2, stderr: /argument 1 \(stdin\) looks like JSON/ });
    t.match(notJob, { code: 2, stderr: /-j: api_key\.create is not a job method/ });
    t.equal((await root.call<unknown[]>('api_key.query')).length, keysBefore + 1, '-j on a plain method ran nothing');
    t.match(missing, { code: 1, stderr: '[ENOENT] ALL: API Key 9999 does not exist\n' });
    t.match(version, { code: 0, stdout: /^midclt \(vsnapd\) \d+\.\d+\.\d+\n$/ });
    t.match(description, { code: 0, stderr: 'step 1/2\nstep 2/2\n' }, '-jp description prints each new description');
    t.match(waitready, { code: 0 });
    t.match(fromFile, { code: 0, stdout: 'pong\n' }, '-K reads a key file given by absolute path');
  });

  t.test('| head: no EPIPE stack trace', async (t) => {
    const sh = spawn('/bin/sh', ['-c', `${midcltCommand().map(shellQuote).join(' ')} call core.get_methods | head -c 20 >/dev/null`], {
      env: childEnv({ VSNAPD_SOCKET: d.socketPath }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    sh.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((r) => sh.once('close', r));
    t.equal(code, 0);
    t.equal(stderr, '', 'nothing on stderr');
  });

  t.test('Ctrl-C during -j prints the job id and leaves the job running', async (t) => {
    const [node, ...midclt] = midcltCommand();
    const child = spawn(node!, [...midclt, 'call', '-j', 'test.job', '{"steps": 40, "step_ms": 100, "result": "finished"}'], {
      env: childEnv({ VSNAPD_SOCKET: d.socketPath }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const progressed = new Promise<void>((resolve) =>
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        if (/step 1\/40/.test(stderr)) resolve();
      }),
    );
    const closed = new Promise<number | null>((r) => child.once('close', r));
    await progressed;
    child.kill('SIGINT');
    t.equal(await closed, 130);
    const id = Number(/job (\d+) keeps running/.exec(stderr)?.[1]);
    t.ok(id > 0, `the job id is printed: ${stderr.split('\n').at(-2)}`);
    const root = await d.root();
    t.equal(await root.call('core.job_wait', id), 'finished', 'the job ran to its end');
  });
});
