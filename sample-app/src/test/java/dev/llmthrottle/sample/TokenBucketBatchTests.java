package dev.llmthrottle.sample;

import org.springframework.test.context.TestPropertySource;

/** A bucket of capacity = limit refilled continuously (Anthropic). */
@TestPropertySource(properties = { "sample.simulated.model=token-bucket",
		"sample.batch.output=target/test-output/token-bucket/results.jsonl" })
class TokenBucketBatchTests extends BatchEndToEndTests {

}
