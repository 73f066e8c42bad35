/**
 * Adaptive throttling benchmarks (issue 14) against the simulated provider: concurrency
 * sized by {@code max-concurrent: auto}
 * ({@link dev.llmthrottle.bench.adaptive.AdaptiveConcurrencyRun}).
 */
package dev.llmthrottle.bench.adaptive;
