/**
 * Internal: what the two SDK adapters share (the response shape, the metered body,
 * reading a request's key and body). Not an API; may change without notice.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.sdk.internal;

import org.jspecify.annotations.NullMarked;
