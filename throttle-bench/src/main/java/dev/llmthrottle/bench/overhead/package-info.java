/**
 * Admission overhead under JMH: llm-throttle's engine and {@code @LlmThrottled} proxy
 * against a bare Resilience4j bulkhead and rate limiters, bucket4j local buckets and a
 * plain {@link java.util.concurrent.Semaphore}, with limits so large that nothing ever
 * waits.
 */
package dev.llmthrottle.bench.overhead;
