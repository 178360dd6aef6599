/**
 * The vim25 fault type hierarchy, for the faults this client reasons about. Lets
 * `isVimFault(err, 'NoPermission')` also match `NotAuthenticated` (a subtype), as govmomi's
 * `fault.Is` does. Source: govmomi `vim25/types/types.go` (each fault struct embeds its parent).
 * Unknown types simply have no parent: they only match their own name or `MethodFault`.
 */
const PARENT: Readonly<Record<string, string>> = {
  VimFault: 'MethodFault',
  RuntimeFault: 'MethodFault',
  InvalidProperty: 'MethodFault',
  InvalidCollectorVersion: 'MethodFault',
  // security
  SecurityError: 'RuntimeFault',
  NoPermission: 'SecurityError',
  NotAuthenticated: 'NoPermission',
  RestrictedVersion: 'SecurityError',
  InvalidLogin: 'VimFault',
  PasswordExpired: 'InvalidLogin',
  InvalidLocale: 'VimFault',
  // licensing
  NotEnoughLicenses: 'RuntimeFault',
  LicenseRestricted: 'NotEnoughLicenses',
  LicenseExpired: 'NotEnoughLicenses',
  InvalidLicense: 'VimFault',
  // requests and objects
  InvalidRequest: 'RuntimeFault',
  MethodNotFound: 'InvalidRequest',
  InvalidType: 'InvalidRequest',
  ManagedObjectNotFound: 'RuntimeFault',
  InvalidArgument: 'RuntimeFault',
  NotSupported: 'RuntimeFault',
  NotImplemented: 'RuntimeFault',
  MethodDisabled: 'RuntimeFault',
  RequestCanceled: 'RuntimeFault',
  SystemError: 'RuntimeFault',
  HostCommunication: 'RuntimeFault',
  HostNotConnected: 'HostCommunication',
  HostNotReachable: 'HostCommunication',
  NotFound: 'VimFault',
  // state and concurrency
  TaskInProgress: 'VimFault',
  InvalidState: 'VimFault',
  InvalidPowerState: 'InvalidState',
  ConcurrentAccess: 'VimFault',
  Timedout: 'VimFault',
  // snapshots
  SnapshotFault: 'VimFault',
  ApplicationQuiesceFault: 'SnapshotFault',
  FilesystemQuiesceFault: 'SnapshotFault',
  SnapshotIncompatibleDeviceInVm: 'SnapshotFault',
  SnapshotDisabled: 'SnapshotFault',
  SnapshotLocked: 'SnapshotFault',
  SnapshotNoChange: 'SnapshotFault',
  MultipleSnapshotsNotSupported: 'SnapshotFault',
  MemorySnapshotOnIndependentDisk: 'SnapshotFault',
  TooManySnapshotLevels: 'SnapshotFault',
  // files and configuration
  FileFault: 'VimFault',
  VmConfigFault: 'VimFault',
  InvalidName: 'VimFault',
  InvalidDatastore: 'VimFault',
};

/**
 * True when fault type `type` is `name` or one of its subtypes (`NotAuthenticated` is a
 * `NoPermission`). Every fault is a `MethodFault`.
 */
export function faultIsA(type: string, name: string): boolean {
  if (name === 'MethodFault') return true;
  for (let t: string | undefined = type, depth = 0; t !== undefined && depth < 16; t = PARENT[t], depth++) {
    if (t === name) return true;
  }
  return false;
}
