/**
 * The call pipeline: what happens around one provider call, written once and used by
 * every entry point.
 *
 * <p>
 * Public API: {@link dev.llmthrottle.call.CallPipeline} (the steps and their decisions),
 * {@link dev.llmthrottle.call.CallShape} (what an adapter says about its kind of call),
 * {@link dev.llmthrottle.call.Lease} (an attempt's permit, closed with how the attempt
 * ended), {@link dev.llmthrottle.call.Reply}, {@link dev.llmthrottle.call.Step},
 * {@link dev.llmthrottle.call.UsageMeter} (settling from bodies and streams, bounded) and
 * the drivers {@link dev.llmthrottle.call.BlockingCall} and
 * {@link dev.llmthrottle.call.AsyncCall}; the Reactor driver lives in
 * {@code dev.llmthrottle.call.reactor}. The programmatic API for plain Java:
 * {@link dev.llmthrottle.call.LlmThrottler} (decorators over one provider),
 * {@link dev.llmthrottle.call.LlmThrottlerRegistry},
 * {@link dev.llmthrottle.call.ValueShape} and
 * {@link dev.llmthrottle.call.CallInterruptedException}; the Reactor operator is
 * {@code dev.llmthrottle.call.reactor.LlmThrottleOperator}. The pipeline, its steps,
 * shapes, leases and drivers are for adapters (the Spring glue, SDK adapters);
 * applications use the programmatic API. Nothing here is internal. Spring-free (checked
 * by ArchUnit).
 */
@NullMarked
package dev.llmthrottle.call;

import org.jspecify.annotations.NullMarked;
