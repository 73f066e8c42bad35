/**
 * Turns the {@code key=value} lines the benchmarks print into the Markdown tables of
 * {@code docs/benchmarks.md}, so that the published figures are generated, never typed.
 */
package dev.llmthrottle.bench.report;
