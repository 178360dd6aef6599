// Unit tests of API version negotiation (vimServiceVersions.xml parsed defensively) and of the TLS
// policy inputs (fingerprint forms, CA PEM checks).
import t from 'tap';
import {
  FALLBACK_API_VERSION,
  chooseVersion,
  compareVersions,
  finalVersion,
  parseServiceVersions,
} from '../../../vsphere/session/versions.js';
import { checkCaPem, parseThumbprint } from '../../../vsphere/transport/tls-policy.js';
import { loadXml } from '../../helpers/vsphere-xml.js';

t.test('parseServiceVersions: urn:vim25 only; garbage gives []', async (t) => {
  t.same(parseServiceVersions(loadXml('service-versions.xml')), ['8.0.2.0', '8.0.1.0', '8.0.0.2', '7.0.3.0', '6.7.3', '6.5']);
  t.same(parseServiceVersions(loadXml('service-versions-prerelease.xml')), ['uA046D008', '8.0.2.0', '8.0.1.0']);
  for (const bad of ['', 'not xml', '<html/>', '<namespaces><namespace><name>urn:other</name><version>1</version></namespace></namespaces>']) {
    t.same(parseServiceVersions(bad), [], JSON.stringify(bad));
  }
});

t.test('chooseVersion: highest numeric version we support', async (t) => {
  t.equal(chooseVersion(['8.0.2.0', '8.0.1.0', '6.5']), '8.0.2.0');
  t.equal(chooseVersion(['uA046D008', '8.0.2.0', '8.0.1.0']), '8.0.2.0', 'pre-release string skipped');
  t.equal(chooseVersion(['9.1.0.0', '9.0.0.0', '8.0.3.0', '8.0.2.0'], '8.0.3.0'), '8.0.3.0', 'capped at our max');
  t.equal(chooseVersion(['9.1.0.0'], '8.0.3.0'), '8.0.3.0', 'only newer ones: ours');
  t.equal(chooseVersion(['6.5', '6.0', '5.5']), '6.5', 'vcsim');
  t.equal(chooseVersion(['uX']), undefined);
  t.ok(compareVersions('6.7', '6.7.1') < 0);
  t.ok(compareVersions('7.0.0.0', '6.7.3') > 0);
  t.equal(compareVersions('6.5', '6.5.0'), 0);
});

t.test('finalVersion: lowest of listed, about.apiVersion and max; fallback', async (t) => {
  t.equal(finalVersion('8.0.2.0', '8.0.1.0'), '8.0.1.0');
  t.equal(finalVersion(undefined, '7.0.3.0'), '7.0.3.0');
  t.equal(finalVersion(undefined, 'uA046D008'), FALLBACK_API_VERSION);
  t.equal(finalVersion('8.0.2.0', 'weird'), '8.0.2.0');
  t.equal(finalVersion(undefined, '9.1.0.0', '8.0.3.0'), '8.0.3.0');
});

t.test('parseThumbprint: vCenter display form, plain hex, any case; errors name the field', async (t) => {
  const sha256 = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
  t.same(parseThumbprint(sha256), { algorithm: 'sha256', hex: sha256.replace(/:/g, '').toLowerCase() });
  t.same(parseThumbprint(sha256.toLowerCase().replace(/:/g, '')), { algorithm: 'sha256', hex: sha256.replace(/:/g, '').toLowerCase() });
  t.same(parseThumbprint(' 2c:11:ed:d7:13:87:7d:b5:74:18:b8:1c:42:c2:56:1f:0d:b9:5b:b9 '), { algorithm: 'sha1', hex: '2c11edd713877db57418b81c42c2561f0db95bb9' });
  t.same(parseThumbprint('SHA256:' + sha256).algorithm, 'sha256');
  t.throws(() => parseThumbprint('AB:CD'), { kind: 'invalid-argument', message: /^tls\.thumbprint: .*got 4 hex digits/ });
  t.throws(() => parseThumbprint('zz'.repeat(32)), { message: /non-hex characters/ });
});

t.test('checkCaPem: PEM certificates only', async (t) => {
  t.throws(() => checkCaPem('not a pem'), { kind: 'invalid-argument', message: /^tls\.ca: / });
  t.throws(() => checkCaPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'), { message: /^tls\.ca: / });
});
