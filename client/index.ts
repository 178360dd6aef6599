/** The vsnapd client library: import from here. */
export { Client } from './client.js';
export type { CloseInfo, CollectionUpdate, ConnectOptions, ConnectTarget, JobProgress, Subscription } from './client.js';
export { ClientCallError, ClientConnectionError, ClientTimeoutError, ClientValidationError, fromRpcError } from './errors.js';
export type { ClientErrorFields, ClientValidationEntry } from './errors.js';
export { defaultDataDir, defaultRunDir, defaultSocketPath, localSocketPath } from './paths.js';
