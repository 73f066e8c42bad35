package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.Limit;

/**
 * What the headers report about one limit at one instant.
 *
 * @param limit the configured limit
 * @param remaining units left (never negative; under the quantized model, of the
 * per-period figure)
 * @param resetNanos nanoseconds until the limit is fully restored (0 when full)
 */
public record LimitState(Limit limit, long remaining, long resetNanos) {
}
