/**
 * Benchmarks of llm-throttle, each side by side with what users would otherwise pick:
 * admission overhead under JMH ({@code overhead}), accuracy and makespan against the
 * simulated provider ({@code accuracy}), and the generator that turns their
 * {@code key=value} lines into the tables of {@code docs/benchmarks.md} ({@code report}).
 * Nothing here runs during the build.
 */
package dev.llmthrottle.bench;
