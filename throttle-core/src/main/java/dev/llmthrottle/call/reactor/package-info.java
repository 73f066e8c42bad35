/**
 * The Reactor driver of the call pipeline
 * ({@link dev.llmthrottle.call.reactor.ReactorCall}), in its own package so that Reactor
 * stays optional for the rest of the Spring-free code.
 *
 * <p>
 * Public API: {@link dev.llmthrottle.call.reactor.LlmThrottleOperator} for applications,
 * {@link dev.llmthrottle.call.reactor.ReactorCall} for adapters. Internal and
 * package-private: the admission {@code Mono}.
 */
@NullMarked
package dev.llmthrottle.call.reactor;

import org.jspecify.annotations.NullMarked;
