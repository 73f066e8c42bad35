/**
 * Rate accounting for one limit: {@link dev.llmthrottle.core.rate.PacedWindow} holds the algorithm and explains
 * it; {@link dev.llmthrottle.core.rate.PacedRateLimiter} exposes it as a Resilience4j {@code RateLimiter}.
 */
@NullMarked
package dev.llmthrottle.core.rate;

import org.jspecify.annotations.NullMarked;
