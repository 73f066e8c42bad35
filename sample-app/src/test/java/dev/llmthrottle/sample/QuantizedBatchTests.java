package dev.llmthrottle.sample;

import org.springframework.test.context.TestPropertySource;

/**
 * Requests counted in fixed one-second windows of limit/period each (OpenAI, Azure):
 * bursts are refused.
 */
@TestPropertySource(properties = { "sample.simulated.model=quantized",
		"sample.batch.output=target/test-output/quantized/results.jsonl" })
class QuantizedBatchTests extends BatchEndToEndTests {

}
