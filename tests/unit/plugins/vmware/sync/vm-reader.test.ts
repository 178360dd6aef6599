/** The coalescing VM reader: one read in flight, callers meanwhile share the next one; failures reach their batch only. */
import t from 'tap';
import { VmReader } from '../../../../../plugins/vmware/sync/vm-reader.js';
import type { MoRef, VirtualMachineInfo } from '../../../../../vsphere/index.js';

const vm = (n: number): MoRef => ({ type: 'VirtualMachine', value: `vm-${n}` });

/** A readVms the test answers by hand: each call waits until the test settles it. */
function fakeClient() {
  const calls: { vms: string[]; settle: (gone?: string[], err?: Error) => void }[] = [];
  return {
    calls,
    readVms(morefs: readonly MoRef[]): Promise<VirtualMachineInfo[]> {
      return new Promise((resolve, reject) => {
        calls.push({
          vms: morefs.map((m) => m.value),
          settle: (gone = [], err) => (err ? reject(err) : resolve(morefs.filter((m) => !gone.includes(m.value)).map((m) => ({ moref: m }) as VirtualMachineInfo))),
        });
      });
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

t.test('callers of one turn share a read; later ones wait for the next, not for each other', async (t) => {
  const c = fakeClient();
  const r = new VmReader(c);
  const a = r.read(vm(1));
  const b = r.read(vm(2));
  await tick();
  t.same(c.calls.map((x) => x.vms), [['vm-1', 'vm-2']], 'one read for both');
  const d = r.read(vm(3));
  const e = r.read(vm(4));
  await tick();
  t.equal(c.calls.length, 1, 'no second read while the first is in flight');
  c.calls[0]?.settle(['vm-2']);
  t.same((await a)?.moref, vm(1));
  t.equal(await b, null, 'a VM that is gone reads as null');
  await tick();
  t.same(c.calls[1]?.vms, ['vm-3', 'vm-4'], 'the waiting ones in one read');
  c.calls[1]?.settle([], new Error('NoPermission'));
  await t.rejects(d, /NoPermission/);
  await t.rejects(e, /NoPermission/);
  const f = r.read(vm(5));
  await tick();
  c.calls[2]?.settle();
  t.same((await f)?.moref, vm(5), 'a failed batch does not poison the next');
});
