/**
 * Benchmarks of the adaptive features of issue 14, run against the simulated provider:
 * {@link dev.llmthrottle.bench.adaptive.PriorityRun} (priority lanes: an interactive
 * caller next to a saturating batch).
 */
package dev.llmthrottle.bench.adaptive;
