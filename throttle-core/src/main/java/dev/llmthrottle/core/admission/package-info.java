/**
 * Admission: a {@link dev.llmthrottle.core.admission.Partition} per provider and key
 * admits calls atomically over concurrency and every limit, in arrival order within
 * {@link dev.llmthrottle.core.Priority} lanes, and hands out
 * {@link dev.llmthrottle.core.admission.Permit}s that are closed with the outcome.
 * Spring-free.
 *
 * <p>
 * Public API: {@link dev.llmthrottle.core.admission.LlmThrottlers},
 * {@link dev.llmthrottle.core.admission.ProviderThrottler},
 * {@link dev.llmthrottle.core.admission.Partition},
 * {@link dev.llmthrottle.core.admission.Permit},
 * {@link dev.llmthrottle.core.admission.ThrottlePolicy},
 * {@link dev.llmthrottle.core.admission.ThrottleListener},
 * {@link dev.llmthrottle.core.admission.PartitionSnapshot},
 * {@link dev.llmthrottle.core.admission.PartitionLimitException},
 * {@link dev.llmthrottle.core.admission.PartitionKeys}. Service-provider interface for
 * backends: {@link dev.llmthrottle.core.admission.PartitionState} (the Redis backend
 * implements it). For adapters, not applications:
 * {@link dev.llmthrottle.core.admission.CurrentAdmission} (the permit the current thread
 * runs under). Internal and package-private: the local state, its bulkhead, the waiter
 * queue and the adaptive concurrency limit ({@code max-concurrent: auto}).
 */
@NullMarked
package dev.llmthrottle.core.admission;

import org.jspecify.annotations.NullMarked;
