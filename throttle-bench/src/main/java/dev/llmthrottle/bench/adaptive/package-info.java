/**
 * Benchmarks of the adaptive features of issue 14, run against the simulated provider:
 * {@link dev.llmthrottle.bench.adaptive.PriorityRun} (priority lanes: an interactive
 * caller next to a saturating batch) and
 * {@link dev.llmthrottle.bench.adaptive.AdaptiveConcurrencyRun} (concurrency sized by
 * {@code max-concurrent: auto}).
 */
package dev.llmthrottle.bench.adaptive;
