package dev.llmthrottle.sample;

import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import dev.llmthrottle.sample.batch.BatchSummary;
import dev.llmthrottle.test.stats.ProviderStats;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10% of the admitted requests fail with 500 or 503: every one is retried, none is lost.
 */
@TestPropertySource(properties = { "sample.simulated.model=quantized", "sample.simulated.fault-rate=0.1",
		"sample.batch.output=target/test-output/faults/results.jsonl" })
class ServerErrorBatchTests extends BatchEndToEndTests {

	@Override
	@Test
	void everyPromptSucceedsWithoutA429() {
		BatchSummary summary = this.batch.summary();
		assertThat(summary.failed()).isZero();
		assertThat(summary.http429()).isZero();
		ProviderStats stats = this.simulators.get("openai-sim").orElseThrow().stats();
		long serverErrors = stats.faults().getOrDefault("server-error", 0L);
		assertThat(serverErrors).isPositive();
		assertThat(summary.retries()).isEqualTo(serverErrors);
		assertThat(this.batch.getExitCode()).isZero();
	}

}
