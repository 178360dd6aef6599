/**
 * Coalesced VM reads for one session: VMs asked for while a read is in flight are read together in
 * the next one, so per-VM steps (a snapshot's createTime after its creation, the re-read after its
 * removal) cost one RetrievePropertiesEx per batch rather than one per VM, and none waits for the
 * others' removals (no barrier). At most one read is in flight at a time.
 */
import { moRefKey, type MoRef, type VirtualMachineInfo, type VsphereClient } from '../../../vsphere/index.js';

interface Waiting {
  vm: MoRef;
  resolve: (vm: VirtualMachineInfo | null) => void;
  reject: (err: unknown) => void;
}

/** See the module comment. */
export class VmReader {
  readonly #client: Pick<VsphereClient, 'readVms'>;
  #queue: Waiting[] = [];
  #busy = false;

  constructor(client: Pick<VsphereClient, 'readVms'>) {
    this.#client = client;
  }

  /**
   * Reads one VM (the inventory's VirtualMachine properties, snapshot tree included).
   * @returns the VM, or null when it no longer exists
   * @throws what `readVms` throws for the batch it was in (SoapFaultError, transport, timeout)
   */
  read(vm: MoRef): Promise<VirtualMachineInfo | null> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ vm, resolve, reject });
      if (!this.#busy) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    // Let the callers of this turn join the first batch.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        const found = new Map((await this.#client.readVms(batch.map((w) => w.vm))).map((v) => [moRefKey(v.moref), v]));
        for (const w of batch) w.resolve(found.get(moRefKey(w.vm)) ?? null);
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.#busy = false;
  }
}
