package dev.llmthrottle.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitHeadersTest {

	static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

	private static RateLimitSnapshot parse(Dialect dialect, String... headers) {
		return RateLimitHeaders.parse(ProtocolHeaders.of(headers), dialect, NOW);
	}

	private static DimensionState state(RateLimitSnapshot snapshot, RateDimension dimension) {
		return snapshot.dimension(dimension).orElseThrow(() -> new AssertionError(dimension + " missing"));
	}

	/** protocol.md §7 vector 1. */
	@Test
	void openAiRemainingAndResets() {
		RateLimitSnapshot snapshot = parse(Dialect.OPENAI, "x-ratelimit-remaining-requests", "499",
				"x-ratelimit-reset-requests", "120ms", "x-ratelimit-remaining-tokens", "187340",
				"x-ratelimit-reset-tokens", "3.798s");
		DimensionState requests = state(snapshot, RateDimension.REQUESTS);
		assertThat(requests.remaining()).hasValue(499);
		assertThat(requests.limit()).isEmpty();
		assertThat(requests.resetMillis()).hasValue(120);
		DimensionState tokens = state(snapshot, RateDimension.TOKENS);
		assertThat(tokens.remaining()).hasValue(187_340);
		assertThat(tokens.resetMillis()).hasValue(3_798);
		assertThat(snapshot.exhausted()).isEmpty();
	}

	@Test
	void openAiLimitsWithPerMinuteWindowAndLargeValues() {
		RateLimitSnapshot snapshot = parse(Dialect.OPENAI, "x-ratelimit-limit-requests", "5000",
				"x-ratelimit-remaining-requests", "4999", "x-ratelimit-reset-requests", "12ms",
				"x-ratelimit-limit-tokens", "150000000", "x-ratelimit-remaining-tokens", "149999984",
				"x-ratelimit-reset-tokens", "6m0s");
		assertThat(state(snapshot, RateDimension.REQUESTS).limit()).hasValue(5000);
		assertThat(state(snapshot, RateDimension.REQUESTS).window()).hasValue(Duration.ofMinutes(1));
		assertThat(state(snapshot, RateDimension.TOKENS).limit()).hasValue(150_000_000L);
		assertThat(state(snapshot, RateDimension.TOKENS).resetMillis()).hasValue(360_000);
	}

	@Test
	void openAiBareNumberResetIsNotSecondsOutsideAzure() {
		DimensionState tokens = state(parse(Dialect.OPENAI, "x-ratelimit-limit-tokens", "1000",
				"x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "5"), RateDimension.TOKENS);
		assertThat(tokens.remaining()).hasValue(0);
		assertThat(tokens.resetMillis()).isEmpty();
		assertThat(tokens.exhausted()).isTrue();
	}

	@Test
	void azureResetsAreBareSeconds() {
		RateLimitSnapshot snapshot = parse(Dialect.AZURE, "x-ratelimit-limit-tokens", "30000",
				"x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "10", "x-ratelimit-limit-requests",
				"180", "x-ratelimit-remaining-requests", "3", "x-ratelimit-reset-requests", "6m0s");
		assertThat(state(snapshot, RateDimension.TOKENS).resetMillis()).hasValue(10_000);
		assertThat(state(snapshot, RateDimension.REQUESTS).resetMillis()).hasValue(360_000);
	}

	/** The Responses API's {@code -1 / -1 / 0} (openai-dotnet #838) means unknown. */
	@Test
	void azureMinusOneIsUnknown() {
		RateLimitSnapshot snapshot = parse(Dialect.AZURE, "x-ratelimit-limit-tokens", "-1",
				"x-ratelimit-remaining-tokens", "-1", "x-ratelimit-reset-tokens", "0");
		assertThat(snapshot.isEmpty()).isTrue();
	}

	@Test
	void remainingAboveLimitIsInconsistentAndDropsTheDimension() {
		RateLimitSnapshot snapshot = parse(Dialect.OPENAI, "x-ratelimit-limit-requests", "100",
				"x-ratelimit-remaining-requests", "150", "x-ratelimit-reset-requests", "1s", "x-ratelimit-limit-tokens",
				"1000", "x-ratelimit-remaining-tokens", "10");
		assertThat(snapshot.dimension(RateDimension.REQUESTS)).isEmpty();
		assertThat(snapshot.dimension(RateDimension.TOKENS)).isPresent();
	}

	@ParameterizedTest
	@ValueSource(strings = { "-5", "abc", "1.5", "1e3", "NaN", "99999999999999999999", "0x10", "5,000" })
	void malformedCountsAreUnknown(String value) {
		RateLimitSnapshot snapshot = parse(Dialect.OPENAI, "x-ratelimit-limit-requests", "100",
				"x-ratelimit-remaining-requests", value);
		DimensionState requests = state(snapshot, RateDimension.REQUESTS);
		assertThat(requests.limit()).hasValue(100);
		assertThat(requests.remaining()).isEmpty();
	}

	@Test
	void zeroLimitIsUnknownButZeroRemainingIsKnown() {
		DimensionState requests = state(
				parse(Dialect.OPENAI, "x-ratelimit-limit-requests", "0", "x-ratelimit-remaining-requests", "0"),
				RateDimension.REQUESTS);
		assertThat(requests.limit()).isEmpty();
		assertThat(requests.remaining()).hasValue(0);
	}

	/**
	 * protocol.md §8.5: a reset header without its companions still says when the budget
	 * is full.
	 */
	@Test
	void resetAloneSaysWhenTheBudgetIsFull() {
		DimensionState requests = state(parse(Dialect.OPENAI, "x-ratelimit-reset-requests", "1s"),
				RateDimension.REQUESTS);
		assertThat(requests.resetMillis()).hasValue(1000);
		assertThat(requests.limit()).isEmpty();
		assertThat(requests.remaining()).isEmpty();
	}

	@Test
	void undocumentedUsageBasedVariantIsIgnored() {
		assertThat(parse(Dialect.OPENAI, "x-ratelimit-limit-tokens_usage_based", "1000",
				"x-ratelimit-remaining-tokens_usage_based", "0", "x-ratelimit-reset-tokens_usage_based", "9ms")
			.isEmpty()).isTrue();
	}

	/** protocol.md §7 vector 12 for rate-limit headers. */
	@Test
	void mixedCaseNamesAndPaddedValues() {
		RateLimitSnapshot snapshot = parse(Dialect.OPENAI, "X-RateLimit-Limit-Requests", " 60 ",
				"X-RATELIMIT-REMAINING-REQUESTS", "\t59 ", "x-RateLimit-Reset-Requests", " 1s ");
		DimensionState requests = state(snapshot, RateDimension.REQUESTS);
		assertThat(requests.limit()).hasValue(60);
		assertThat(requests.remaining()).hasValue(59);
		assertThat(requests.resetMillis()).hasValue(1000);
	}

	@Test
	void duplicateHeadersUseTheLargestValidValue() {
		ProtocolHeaders headers = ProtocolHeaders.builder()
			.add("x-ratelimit-remaining-requests", "5")
			.add("x-ratelimit-remaining-requests", "9")
			.add("x-ratelimit-limit-requests", "10")
			.build();
		assertThat(state(RateLimitHeaders.parse(headers, Dialect.OPENAI, NOW), RateDimension.REQUESTS).remaining())
			.hasValue(9);
	}

	@Test
	void anthropicMapsEveryDimensionAndReadsRfc3339Resets() {
		RateLimitSnapshot snapshot = parse(Dialect.ANTHROPIC, "anthropic-ratelimit-requests-limit", "50",
				"anthropic-ratelimit-requests-remaining", "49", "anthropic-ratelimit-requests-reset",
				"2026-03-01T12:00:01Z", "anthropic-ratelimit-tokens-limit", "96000",
				"anthropic-ratelimit-tokens-remaining", "96000", "anthropic-ratelimit-tokens-reset",
				"2026-03-01T12:00:00.500Z", "anthropic-ratelimit-input-tokens-limit", "80000",
				"anthropic-ratelimit-input-tokens-remaining", "78000", "anthropic-ratelimit-input-tokens-reset",
				"2026-03-01T12:00:02Z", "anthropic-ratelimit-output-tokens-limit", "16000",
				"anthropic-ratelimit-output-tokens-remaining", "0", "anthropic-ratelimit-output-tokens-reset",
				"2026-03-01T12:00:17Z", "retry-after", "17");
		assertThat(state(snapshot, RateDimension.REQUESTS).resetMillis()).hasValue(1000);
		assertThat(state(snapshot, RateDimension.TOKENS).limit()).hasValue(96_000);
		assertThat(state(snapshot, RateDimension.TOKENS).resetMillis()).hasValue(500);
		assertThat(state(snapshot, RateDimension.INPUT_TOKENS).remaining()).hasValue(78_000);
		DimensionState output = state(snapshot, RateDimension.OUTPUT_TOKENS);
		assertThat(output.exhausted()).isTrue();
		assertThat(output.resetMillis()).hasValue(17_000);
		assertThat(output.window()).hasValue(Duration.ofMinutes(1));
		assertThat(snapshot.exhausted()).extracting(DimensionState::dimension)
			.containsExactly(RateDimension.OUTPUT_TOKENS);
	}

	@Test
	void anthropicPastResetReadsAsZeroAndGoDurationIsNotAnInstant() {
		RateLimitSnapshot snapshot = parse(Dialect.ANTHROPIC, "anthropic-ratelimit-requests-limit", "50",
				"anthropic-ratelimit-requests-remaining", "50", "anthropic-ratelimit-requests-reset",
				"2026-03-01T11:59:00Z", "anthropic-ratelimit-tokens-limit", "50", "anthropic-ratelimit-tokens-reset",
				"6m0s");
		assertThat(state(snapshot, RateDimension.REQUESTS).resetMillis()).hasValue(0);
		assertThat(state(snapshot, RateDimension.TOKENS).resetMillis()).isEmpty();
	}

	@Test
	void anthropicDialectIgnoresOpenAiNames() {
		assertThat(parse(Dialect.ANTHROPIC, "x-ratelimit-limit-requests", "5", "x-ratelimit-remaining-requests", "1")
			.isEmpty()).isTrue();
	}

	/** protocol.md §7 vector 24: Groq's {@code -requests} is the daily window. */
	@Test
	void groqRequestsArePerDay() {
		RateLimitSnapshot snapshot = parse(Dialect.GROQ, "x-ratelimit-limit-requests", "14400",
				"x-ratelimit-remaining-requests", "14370", "x-ratelimit-reset-requests", "2m59.56s",
				"x-ratelimit-limit-tokens", "18000", "x-ratelimit-remaining-tokens", "17997",
				"x-ratelimit-reset-tokens", "7.66s");
		assertThat(state(snapshot, RateDimension.REQUESTS).window()).hasValue(Duration.ofDays(1));
		assertThat(state(snapshot, RateDimension.REQUESTS).resetMillis()).hasValue(179_560);
		assertThat(state(snapshot, RateDimension.TOKENS).window()).hasValue(Duration.ofMinutes(1));
		assertThat(state(snapshot, RateDimension.TOKENS).resetMillis()).hasValue(7_660);
	}

	@Test
	void openRouterResetIsEpochMillis() {
		RateLimitSnapshot snapshot = parse(Dialect.OPENROUTER, "X-RateLimit-Limit", "20", "X-RateLimit-Remaining", "0",
				"X-RateLimit-Reset", "1772366430000");
		DimensionState requests = state(snapshot, RateDimension.REQUESTS);
		assertThat(requests.exhausted()).isTrue();
		assertThat(requests.resetMillis()).hasValue(30_000);
		assertThat(requests.window()).isEmpty();
	}

	@Test
	void togetherUsesUnsuffixedRequestAndTokenLimitHeaders() {
		RateLimitSnapshot snapshot = parse(Dialect.TOGETHER, "x-ratelimit-limit", "10", "x-ratelimit-remaining", "4",
				"x-ratelimit-reset", "1", "x-tokenlimit-limit", "200000", "x-tokenlimit-remaining", "199000");
		assertThat(state(snapshot, RateDimension.REQUESTS).resetMillis()).hasValue(1000);
		assertThat(state(snapshot, RateDimension.TOKENS).remaining()).hasValue(199_000);
	}

	@Test
	void genericAcceptsOnlyUnambiguousResetFormats() {
		RateLimitSnapshot snapshot = parse(Dialect.GENERIC, "x-ratelimit-limit-requests", "10",
				"x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "5", "x-ratelimit-limit-tokens",
				"100", "x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "2s",
				"anthropic-ratelimit-input-tokens-limit", "100", "anthropic-ratelimit-input-tokens-remaining", "1",
				"anthropic-ratelimit-input-tokens-reset", "2026-03-01T12:00:04Z",
				"anthropic-ratelimit-output-tokens-limit", "100", "anthropic-ratelimit-output-tokens-remaining", "1",
				"anthropic-ratelimit-output-tokens-reset", "1772366405000");
		assertThat(state(snapshot, RateDimension.REQUESTS).resetMillis()).isEmpty();
		assertThat(state(snapshot, RateDimension.TOKENS).resetMillis()).hasValue(2000);
		assertThat(state(snapshot, RateDimension.INPUT_TOKENS).resetMillis()).hasValue(4000);
		assertThat(state(snapshot, RateDimension.OUTPUT_TOKENS).resetMillis()).hasValue(5000);
	}

	/**
	 * protocol.md §7 vector 26: no rate headers at all (DeepSeek, proxies) changes
	 * nothing.
	 */
	@ParameterizedTest
	@EnumSource(Dialect.class)
	void noHeadersGiveAnEmptySnapshot(Dialect dialect) {
		RateLimitSnapshot snapshot = parse(dialect, "content-type", "application/json");
		assertThat(snapshot.isEmpty()).isTrue();
		assertThat(snapshot.dialect()).isEqualTo(dialect);
		assertThat(RateLimitHeaders.parse(null, dialect, NOW).isEmpty()).isTrue();
	}

	@Test
	void snapshotIsImmutable() {
		RateLimitSnapshot snapshot = parse(Dialect.OPENAI, "x-ratelimit-limit-requests", "1");
		org.assertj.core.api.Assertions
			.assertThatThrownBy(() -> snapshot.dimensions()
				.put(RateDimension.TOKENS,
						new DimensionState(RateDimension.TOKENS, OptionalLong.of(1), OptionalLong.empty(),
								OptionalLong.empty(), java.util.Optional.empty())))
			.isInstanceOf(UnsupportedOperationException.class);
	}

}
