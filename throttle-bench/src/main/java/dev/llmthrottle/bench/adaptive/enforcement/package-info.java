/**
 * Issue 14's enforcement benchmarks: llm-throttle with each declared {@code enforcement}
 * against the matching simulated provider model (makespan against the model's true
 * floor), the paced default against every model, and the paced default against a
 * quantizing provider with arrival jitter (where the learned guard works). Built with
 * {@code -Pbench}; never run by {@code mvn verify}.
 */
@NullMarked
package dev.llmthrottle.bench.adaptive.enforcement;

import org.jspecify.annotations.NullMarked;
