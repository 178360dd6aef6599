/** The embedded datastore (lowdb JSON file): import from here. */
export { DatastoreImpl, datastoreFiles, openDatastore } from './datastore.js';
export type { OpenDatastoreOptions } from './datastore.js';
export { DatastoreFileError } from './json-file.js';
export { MIGRATIONS } from './schema.js';
export type { DbCollection, DbFile, DbRow, Migration } from './schema.js';
