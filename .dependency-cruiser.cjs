/**
 * vsnapd's import boundaries, checked by dependency-cruiser (tests/unit/architecture/boundaries.test.ts
 * runs it over daemon/, client/, plugins/ and vsphere/; `npx depcruise daemon client plugins vsphere`
 * shows the same report by hand). Each rule is a layer wall; `severity: 'error'` everywhere, so any
 * violation fails the test.
 */
/**
 * The vsphere library's layers in import order, lowest first (vsphere/README.md): each may import the
 * ones before it, never one after it, nor the facade (client.ts, index.ts) or vapi/ on top.
 */
const VSPHERE_LAYERS = ['types', 'faults', 'transport', 'soap', 'methods', 'session', 'inventory', 'tasks'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...VSPHERE_LAYERS.map((layer, i) => ({
      name: `vsphere-layer-${layer}`,
      comment: `vsphere/${layer}/ imports only the layers below it (${VSPHERE_LAYERS.slice(0, i).join(', ') || 'none'}).`,
      severity: 'error',
      from: { path: `^vsphere/${layer}/` },
      to: { path: `^vsphere/((${[...VSPHERE_LAYERS.slice(i + 1), 'vapi'].join('|')})/|(client|index)\\.ts$)` },
    })),
    {
      name: 'no-cycles',
      comment: 'No import cycle, of any length (type-only imports count: a cycle of types is still one design knot).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'vsphere-is-a-library',
      comment: 'vsphere/ (the vSphere client) imports nothing of the application: not daemon/, not plugins/, not client/.',
      severity: 'error',
      from: { path: '^vsphere/' },
      to: { path: '^(daemon|plugins|client)/' },
    },
    {
      name: 'pool-does-not-import-vmware',
      comment: 'Pool and vmware meet at one seam (plugins/pool/snapshot-hook.ts, which vmware implements): pool imports nothing from plugins/vmware/.',
      severity: 'error',
      from: { path: '^plugins/pool/' },
      to: { path: '^plugins/vmware/' },
    },
    {
      name: 'daemon-does-not-import-plugins',
      comment: 'The core knows no plugin; only the composition root (daemon/main.ts, daemon/daemon.ts) reads the plugin list plugins/index.ts.',
      severity: 'error',
      from: { path: '^daemon/', pathNot: '^daemon/(main|daemon)\\.ts$' },
      to: { path: '^plugins/' },
    },
    {
      name: 'composition-root-imports-only-the-plugin-list',
      comment: 'daemon/main.ts and daemon/daemon.ts may import plugins/index.ts, no plugin directly.',
      severity: 'error',
      from: { path: '^daemon/(main|daemon)\\.ts$' },
      to: { path: '^plugins/', pathNot: '^plugins/index\\.ts$' },
    },
    {
      name: 'client-is-standalone',
      comment:
        'client/ (midclt, the client library, the web console) talks to the daemon over the wire only: no import of daemon/, plugins/ or ' +
        'vsphere/, except the two wire facts it shares with the daemon, which import no other module (next rule): the errno table ' +
        '(daemon/errors.ts) and the tls-server-end-point channel binding of SCRAM-PLUS (daemon/auth/channel-binding.ts).',
      severity: 'error',
      from: { path: '^client/' },
      to: { path: '^(daemon|plugins|vsphere)/', pathNot: '^daemon/(errors|auth/channel-binding)\\.ts$' },
    },
    {
      name: 'shared-wire-facts-are-leaves',
      comment: 'What client/ may import of daemon/ imports no other vsnapd module, so the client never pulls in the daemon.',
      severity: 'error',
      from: { path: '^daemon/(errors|auth/channel-binding)\\.ts$' },
      to: { path: '^(daemon|plugins|vsphere|client)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};
