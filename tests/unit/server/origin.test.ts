/** The WebSocket handshake origin rule (daemon/server/origin.ts). */
import t from 'tap';
import { checkOrigin, type Handshake } from '../../../daemon/server/origin.js';

const policy = { allowedOrigins: ['https://console.example.com'], serverNames: ['nas.example.com'] };
const tcp = (origin: string | undefined, host: string | undefined, secure = false): Handshake => ({ origin, host, secure, transport: 'tcp' });

t.test('accepted', async (t) => {
  const cases: [string, Handshake][] = [
    ['no Origin (a script)', tcp(undefined, '127.0.0.1:6080')],
    ['any Origin over the Unix socket', { origin: 'https://evil.example', host: 'localhost', secure: false, transport: 'unix' }],
    ['on the allow list, case and trailing slash aside', tcp('HTTPS://Console.Example.com/', '127.0.0.1:6080')],
    ['same origin, IPv4 literal (what midclt sends)', tcp('http://127.0.0.1:6080', '127.0.0.1:6080')],
    ['same origin, IPv6 literal', tcp('http://[::1]:6080', '[::1]:6080')],
    ['same origin, localhost', tcp('http://localhost:6080', 'localhost:6080')],
    ['same origin, a configured name (any case, trailing dot)', tcp('http://NAS.example.com.:6080', 'nas.example.com:6080')],
    ['same origin over TLS, default port implied', tcp('https://nas.example.com', 'nas.example.com:443', true)],
    ['same origin, default port 80 spelled out on one side', tcp('http://127.0.0.1:80', '127.0.0.1')],
  ];
  for (const [label, hs] of cases) t.same(checkOrigin(hs, policy), { ok: true }, label);
});

t.test('refused, with a reason naming the setting', async (t) => {
  const cases: [string, Handshake, RegExp][] = [
    ['another site', tcp('https://evil.example', '127.0.0.1:6080'), /api\.allowed_origins/],
    ['null origin', tcp('null', '127.0.0.1:6080'), /allowed_origins/],
    ['scheme differs (https page, plain socket)', tcp('https://127.0.0.1:6080', '127.0.0.1:6080'), /allowed_origins/],
    ['scheme differs (http page, TLS socket)', tcp('http://127.0.0.1:6080', '127.0.0.1:6080', true), /allowed_origins/],
    ['port differs', tcp('http://127.0.0.1:8080', '127.0.0.1:6080'), /allowed_origins/],
    ['no Host header', tcp('http://127.0.0.1:6080', undefined), /allowed_origins/],
    ['DNS rebinding: same origin under a foreign name', tcp('http://evil.example:6080', 'evil.example:6080'), /evil\.example:6080.*api\.server_names/],
    ['a suffix of a configured name is not that name', tcp('http://xnas.example.com:6080', 'xnas.example.com:6080'), /api\.server_names/],
    ['credentials in the origin', tcp('http://a@127.0.0.1:6080', '127.0.0.1:6080'), /allowed_origins/],
  ];
  for (const [label, hs, reason] of cases) {
    const v = checkOrigin(hs, policy);
    t.equal(v.ok, false, label);
    if (!v.ok) t.match(v.reason, reason, `${label}: reason`);
  }
});
