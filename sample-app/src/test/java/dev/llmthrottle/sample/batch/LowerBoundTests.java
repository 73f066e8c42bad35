package dev.llmthrottle.sample.batch;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LowerBoundTests {

	private static final List<Limit> OPENAI = List.of(Limit.perMinute(Dimension.REQUESTS, 240),
			Limit.perMinute(Dimension.TOKENS, 40_000));

	@Test
	void requestsBindWhenTheyTakeLongest() {
		LowerBound bound = LowerBound.of(OPENAI, 8, new LowerBound.Spent(300, 15_000, 16_000, 160));
		assertThat(bound.seconds()).isCloseTo(75.0, within(1e-9)); // 300 / 240 * 60
		assertThat(bound.terms()).extracting(LowerBound.Term::seconds).containsExactly(75.0, 46.5, 20.0); // tokens
																											// 31,000
																											// /
																											// 40,000
																											// *
																											// 60;
																											// latency
																											// 160
																											// /
																											// 8
		assertThat(bound.binding()).isEqualTo("300 requests / 240 requests per 1m = 75.00 s");
	}

	@Test
	void tokensBindWhenTheyTakeLongest() {
		LowerBound bound = LowerBound.of(OPENAI, 8, new LowerBound.Spent(100, 30_000, 30_000, 10));
		assertThat(bound.seconds()).isCloseTo(90.0, within(1e-9));
	}

	@Test
	void concurrencyBindsWhenCallsAreSlow() {
		LowerBound bound = LowerBound.of(OPENAI, 8, new LowerBound.Spent(100, 1_000, 1_000, 800));
		assertThat(bound.seconds()).isCloseTo(100.0, within(1e-9));
		LowerBound uncapped = LowerBound.of(OPENAI, 0, new LowerBound.Spent(100, 1_000, 1_000, 800));
		assertThat(uncapped.seconds()).isCloseTo(25.0, within(1e-9));
	}

	@Test
	void everyLimitCountsItsOwnDimensionOverItsOwnPeriod() {
		List<Limit> anthropic = List.of(Limit.perMinute(Dimension.REQUESTS, 240),
				Limit.perMinute(Dimension.INPUT_TOKENS, 20_000), Limit.perMinute(Dimension.OUTPUT_TOKENS, 16_000),
				Limit.of(Dimension.REQUESTS, 5, Duration.ofSeconds(1)));
		LowerBound bound = LowerBound.of(anthropic, 0, new LowerBound.Spent(300, 15_000, 24_000, 0));
		assertThat(bound.terms()).extracting(LowerBound.Term::seconds).containsExactly(90.0, 75.0, 60.0, 45.0); // output,
																												// requests/min,
																												// requests/s,
																												// input
	}

	@Test
	void summaryLineHasTheAgreedForm() {
		LowerBound bound = LowerBound.of(OPENAI, 8, new LowerBound.Spent(300, 15_000, 16_000, 160));
		BatchSummary summary = new BatchSummary("openai-sim", 300, 299, 1, 0, 4, 78.9, bound);
		assertThat(summary.line()).isEqualTo("SUMMARY provider=openai-sim requests=300 succeeded=299 failed=1 "
				+ "http_429=0 retries=4 makespan_s=78.90 lower_bound_s=75.00 efficiency=0.951");
	}

}
