package dev.llmthrottle.sample;

import org.springframework.test.context.TestPropertySource;

/** The exact amount over the trailing period. */
@TestPropertySource(properties = { "sample.simulated.model=sliding-window",
		"sample.batch.output=target/test-output/sliding-window/results.jsonl" })
class SlidingWindowBatchTests extends BatchEndToEndTests {

}
