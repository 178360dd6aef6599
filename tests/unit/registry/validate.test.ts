import t from 'tap';
import { z } from 'zod';
import { ValidationErrors } from '../../../daemon/errors.js';
import { defineMethod } from '../../../daemon/registry/method.js';
import { MethodRegistry, ResultValidationError } from '../../../daemon/registry/registry.js';
import { validateArgs } from '../../../daemon/registry/validate.js';

const Create = z.strictObject({
  hostname: z.string(),
  port: z.number().int().default(443),
  enabled: z.boolean().optional(),
  tls: z.strictObject({ verify: z.boolean() }).optional(),
  datastores: z.array(z.string()).optional(),
});
const args = [
  { name: 'vmware_create', schema: Create },
  { name: 'options', schema: z.strictObject({ dry: z.boolean().default(false) }).optional() },
] as const;

const errorsOf = (params: unknown[]) => {
  try {
    validateArgs(args, params);
  } catch (e) {
    if (e instanceof ValidationErrors) return e.errors.map((x) => [x.attribute, x.message, x.errno]);
    throw e;
  }
  return [];
};

t.test('attributes are <argname>.<path>, worded like pydantic', async (t) => {
  t.same(errorsOf([{}]), [['vmware_create.hostname', 'Field required', 22]]);
  t.same(errorsOf([]), [['vmware_create', 'Field required', 22]]);
  t.same(errorsOf([{ hostname: 'h', bogus: 1, tls: { verify: 'yes', x: 1 } }]), [
    ['vmware_create.tls.verify', 'Input should be a valid boolean', 22],
    ['vmware_create.tls.x', 'Extra inputs are not permitted', 22],
    ['vmware_create.bogus', 'Extra inputs are not permitted', 22],
  ]);
  t.same(errorsOf([{ hostname: 1, port: 1.5, enabled: 'x', datastores: 'ds1' }]), [
    ['vmware_create.hostname', 'Input should be a valid string', 22],
    ['vmware_create.port', 'Input should be a valid integer', 22],
    ['vmware_create.enabled', 'Input should be a valid boolean', 22],
    ['vmware_create.datastores', 'Input should be a valid list', 22],
  ]);
  t.same(errorsOf([{ hostname: 'h', datastores: ['a', 2] }]), [['vmware_create.datastores.1', 'Input should be a valid string', 22]]);
  t.same(errorsOf(['x']), [['vmware_create', 'Input should be a valid dictionary', 22]]);
  t.same(errorsOf([{ hostname: 'h' }, { dry: 1 }]), [['options.dry', 'Input should be a valid boolean', 22]]);
});

t.test('too many arguments', async (t) => {
  t.same(errorsOf([{ hostname: 'h' }, {}, 3]), [['', 'Too many arguments (expected 2, found 3)', 22]]);
});

t.test('defaults apply; omitted optional trailing arguments stay undefined', async (t) => {
  t.same(validateArgs(args, [{ hostname: 'h' }]), [{ hostname: 'h', port: 443 }, undefined]);
  t.same(validateArgs(args, [{ hostname: 'h' }, {}]), [{ hostname: 'h', port: 443 }, { dry: false }]);
});

t.test('registry: unique well-formed names, result checks, JSON Schema descriptions', async (t) => {
  const r = new MethodRegistry();
  const m = defineMethod({ name: 'x.do_it', description: 'Does it.', args, result: z.string(), roles: ['X_WRITE'], handler: () => 'ok' });
  r.register([m], 'p1');
  t.throws(() => r.register([m], 'p2'), /already registered by p1/);
  t.throws(() => r.register([{ ...m, name: 'Bad Name' }], 'p2'), /bad method name/);
  t.throws(() => r.register([{ ...m, name: 'x.job', public: true, job: {} }], 'p2'), /cannot be public/);
  t.equal(r.get('x.do_it'), m);
  t.throws(() => r.checkResult(m, 5), ResultValidationError);
  t.doesNotThrow(() => r.checkResult(m, 'fine'));
  const d = r.describe(m);
  t.match(d, { description: 'Does it.', roles: ['X_WRITE'], job: false, public: false, returns: { type: 'string' } });
  t.match(d.accepts[0], { title: 'vmware_create', _required_: true, type: 'object', required: ['hostname'], additionalProperties: false });
  t.match(d.accepts[1], { title: 'options', _required_: false });
  t.equal(r.describe(m), d, 'cached');
});
