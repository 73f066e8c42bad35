/**
 * The providers' rate-limit protocol, without Spring: reading rate-limit headers, retry hints and
 * error bodies, and classifying failed responses.
 *
 * <p>Everything here is a pure function of its inputs (status, headers, body text, dialect and the
 * current instant, which callers pass in so that results are deterministic). Parsers never throw on
 * what a server sends: garbage, negative, non-finite, overflowing or past values yield "unknown" or
 * "no hint". The facts behind the rules are in {@code shared/docs/protocol.md}; section numbers in
 * comments refer to it. Token estimation and usage extraction live in the {@code tokens}
 * sub-package.
 */
@NullMarked
package dev.llmthrottle.protocol;

import org.jspecify.annotations.NullMarked;
