/**
 * Rate accounting for one limit: {@link dev.llmthrottle.core.rate.PacedWindow} holds the
 * algorithm and explains it; {@link dev.llmthrottle.core.rate.PacedRateLimiter} exposes
 * it as a Resilience4j {@code RateLimiter}.
 *
 * <p>
 * Public API: {@link dev.llmthrottle.core.rate.PacedRateLimiter}.
 * {@link dev.llmthrottle.core.rate.PacedWindow} is public for the engine and the Redis
 * backend (whose script mirrors it), not for applications. Internal and package-private:
 * the saturating arithmetic.
 */
@NullMarked
package dev.llmthrottle.core.rate;

import org.jspecify.annotations.NullMarked;
