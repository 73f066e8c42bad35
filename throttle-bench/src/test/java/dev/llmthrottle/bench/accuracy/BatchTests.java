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

}
