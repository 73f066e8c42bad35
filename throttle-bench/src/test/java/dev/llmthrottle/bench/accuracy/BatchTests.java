package dev.llmthrottle.bench.accuracy;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BatchTests {

	@Test
	void theSameSeedGivesTheSameBatch() {
		assertThat(Batch.generate(50, 7)).isEqualTo(Batch.generate(50, 7)).isNotEqualTo(Batch.generate(50, 8));
	}

	@Test
	void costsAreMixedWithinTheirRanges() {
		List<Call> batch = Batch.generate(600, 42);
		assertThat(batch).hasSize(600)
			.allSatisfy((call) -> assertThat(call.prompt().length()).isBetween(90, 800))
			.extracting(Call::maxTokens)
			.containsOnly(64, 128, 256, 512);
		assertThat(batch).extracting(Call::index).startsWith(0, 1, 2).endsWith(599);
	}

	@Test
	void providerChargeFollowsTheSimulatorsEstimate() {
		Call call = new Call(0, "x".repeat(101), 64);
		assertThat(call.providerCharge()).isEqualTo(26 + 6 + 64);
		assertThat(call.body()).startsWith("{\"model\":\"gpt-4o-mini\",\"max_completion_tokens\":64,");
	}

	@Test
	void percentilesAreNearestRank() {
		long[] sorted = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
		assertThat(CellRunner.percentile(sorted, 50)).isEqualTo(5);
		assertThat(CellRunner.percentile(sorted, 99)).isEqualTo(10);
		assertThat(CellRunner.percentile(new long[0], 50)).isZero();
	}

	@Test
	void failureReasonsGroupWithoutTheirVaryingFigures() {
		assertThat(
				CellRunner.groupable("RateLimitException: 429: Rate limit reached for gpt-4o-mini on requests per 2s: "
						+ "Limit 100, Used 100, Requested 1. Please try again in 13ms."))
			.isEqualTo("RateLimitException: 429: Rate limit reached for gpt-4o-mini on requests per #s: "
					+ "Limit 100, Used #, Requested #. Please try again in #ms.");
		assertThat(CellRunner.groupable("HTTP 429")).isEqualTo("HTTP 429");
		assertThat(CellRunner.groupable("would need at least 60047.879ms, more than max-wait 1m"))
			.isEqualTo("would need at least #ms, more than max-wait #m");
	}

}
