/**
 * Micrometer metrics of the LLM throttles: one
 * {@link io.micrometer.core.instrument.binder.MeterBinder} that is also a
 * {@link dev.llmthrottle.core.admission.ThrottleListener}, metric names in
 * {@link dev.llmthrottle.autoconfigure.metrics.LlmThrottleMetrics}, and its
 * auto-configuration. Tags are {@code provider}, {@code outcome} and {@code dimension}
 * only: never partition keys, tenants or API keys.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
