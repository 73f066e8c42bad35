/**
 * Internal helpers of the exchange layer (reading the {@code data:} lines of a
 * server-sent event stream). Public only so that the call pipeline can use them; not an
 * API, may change without notice.
 */
@NullMarked
package dev.llmthrottle.exchange.internal;

import org.jspecify.annotations.NullMarked;
