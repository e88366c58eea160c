/**
 * What other components may use of syncapi: the extension point through which they add fields to {@code /sync}
 * ({@link dev.myelin.syncapi.api.SyncExtension}), the waker they call when their stream advances, and
 * membership queries over syncapi's index.
 */
package dev.myelin.syncapi.api;
