package dev.llmthrottle.protocol;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** protocol.md §8.6: a refused per-day quota and its reset at midnight Pacific. */
class DailyQuotaTest {

	private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			// PST (UTC-8): 04:00 local on 1 March, reset at 08:00 UTC the next day
			"2026-03-01T12:00:00Z|2026-03-02T08:00:00Z",
			// PDT (UTC-7)
			"2026-07-01T12:00:00Z|2026-07-02T07:00:00Z",
			// 22:00 PST on 7 March: midnight of the day daylight saving starts is still
			// PST
			"2026-03-08T06:00:00Z|2026-03-08T08:00:00Z",
			// exactly midnight Pacific: the next one
			"2026-03-02T08:00:00Z|2026-03-03T08:00:00Z",
			// one nanosecond before midnight Pacific
			"2026-03-02T07:59:59.999999999Z|2026-03-02T08:00:00Z",
			// the day daylight saving ends (25 hours long)
			"2026-11-01T07:00:00Z|2026-11-02T08:00:00Z" })
	void resetsAtTheNextMidnightPacific(String now, String reset) {
		assertThat(DailyQuota.nextReset(Instant.parse(now))).isEqualTo(Instant.parse(reset));
	}

	@Test
	void aGeminiPerDayRefusalNamesTheQuotaAndItsReset() {
		Classification verdict = ErrorClassifier.classify(429, ProtocolHeaders.empty(),
				RetryHintResolverTest.gemini429("37s", "GenerateRequestsPerDayPerProjectPerModel-FreeTier"),
				Dialect.GEMINI, NOW, 120_000);
		assertThat(verdict.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
		assertThat(verdict.dailyQuota()).hasValue(new DailyQuota("GenerateRequestsPerDayPerProjectPerModel-FreeTier",
				Instant.parse("2026-03-02T08:00:00Z")));
	}

	@Test
	void aPerMinuteRefusalIsNoDailyQuota() {
		Classification verdict = ErrorClassifier.classify(429, ProtocolHeaders.empty(),
				RetryHintResolverTest.gemini429("37s", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"),
				Dialect.GEMINI, NOW, 120_000);
		assertThat(verdict.dailyQuota()).isEmpty();
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
	}

	@Test
	void aForcedRetryIsNoDailyQuota() {
		Classification verdict = ErrorClassifier.classify(429, ProtocolHeaders.of("x-should-retry", "true"),
				RetryHintResolverTest.gemini429("37s", "GenerateRequestsPerDayPerProjectPerModel-FreeTier"),
				Dialect.GEMINI, NOW, 120_000);
		assertThat(verdict.dailyQuota()).isEmpty();
	}

}
