/**
 * Auto-configuration of the Redis backend: {@code llm.throttle.redis.*} properties, a
 * Lettuce client of its own built from the application's {@code spring.data.redis.*}
 * connection details, and the partition-state factories that put providers with
 * {@code backend: redis} on it.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.redis;

import org.jspecify.annotations.NullMarked;
