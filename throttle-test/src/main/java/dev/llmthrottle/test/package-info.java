/**
 * A simulated rate-limited LLM provider for tests and benchmarks:
 * {@link dev.llmthrottle.test.SimulatedProvider} (built with
 * {@link dev.llmthrottle.test.SimulatedProvider#builder()}) serves the OpenAI, Azure or
 * Anthropic dialect on a loopback port, enforces limits under a chosen enforcement model,
 * injects seeded faults and records server-side evidence.
 * {@link dev.llmthrottle.test.SimulatedProviderMain} runs it standalone.
 */
@NullMarked
package dev.llmthrottle.test;

import org.jspecify.annotations.NullMarked;
