/**
 * Internal helpers of the protocol parsers (lenient JSON reading). Public only so that
 * {@code protocol} and {@code protocol.tokens} can share them; not an API, may change
 * without notice.
 */
@NullMarked
package dev.llmthrottle.protocol.internal;

import org.jspecify.annotations.NullMarked;
