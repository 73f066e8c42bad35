package dev.llmthrottle.sample;

import org.springframework.test.context.TestPropertySource;

/** Counters reset on period boundaries at an offset the client cannot see. */
@TestPropertySource(properties = { "sample.simulated.model=fixed-window",
		"sample.batch.output=target/test-output/fixed-window/results.jsonl" })
class FixedWindowBatchTests extends BatchEndToEndTests {

}
