/**
 * Configuration vocabulary of the simulated provider: limits and their dimensions,
 * enforcement models, wire dialects, latency, completion length and fault injection. All
 * types are immutable values.
 */
@NullMarked
package dev.llmthrottle.test.config;

import org.jspecify.annotations.NullMarked;
