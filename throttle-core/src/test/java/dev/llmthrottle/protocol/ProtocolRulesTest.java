package dev.llmthrottle.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * protocol.md §8.4, §8.5 and §8.7: repeated headers, reset instants and epochs on a 429,
 * a reset header on its own, and saturation of absurd values.
 */
class ProtocolRulesTest {

	private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

	private static final long CAP = 120_000;

	private static final long HORIZON_MILLIS = TimeParsers.HORIZON.toMillis();

	private static ProtocolHeaders repeated(String name, String... values) {
		return ProtocolHeaders.of(Map.of(name, List.of(values)));
	}

	private static Classification classify(int status, Dialect dialect, ProtocolHeaders headers, String body) {
		return ErrorClassifier.classify(status, headers, body, dialect, NOW, CAP);
	}

	// §8.4: a header that repeats counts with its largest valid value

	@Test
	void repeatedRetryAfterTakesTheLargestValidValue() {
		RetryHint hint = RetryHintResolver
			.resolve(repeated("retry-after", "2", "abc", "30", "7"), null, Dialect.OPENAI, NOW, CAP)
			.orElseThrow();
		assertThat(hint.source()).isEqualTo(RetryHint.Source.RETRY_AFTER);
		assertThat(hint.delayMillis()).isEqualTo(30_000);
	}

	@Test
	void repeatedRetryAfterMsTakesTheLargestValidValue() {
		RetryHint hint = RetryHintResolver
			.resolve(repeated("retry-after-ms", "500", "-1", "6000", "x"), null, Dialect.AZURE, NOW, CAP)
			.orElseThrow();
		assertThat(hint.source()).isEqualTo(RetryHint.Source.RETRY_AFTER_MS);
		assertThat(hint.delayMillis()).isEqualTo(6_000);
	}

	@Test
	void repeatedRetryAfterDatesTakeTheLatest() {
		RetryHint hint = RetryHintResolver
			.resolve(repeated("retry-after", "Sun, 01 Mar 2026 12:00:10 GMT", "Sun, 01 Mar 2026 12:00:40 GMT"), null,
					Dialect.ANTHROPIC, NOW, CAP)
			.orElseThrow();
		assertThat(hint.delayMillis()).isEqualTo(40_000);
	}

	@Test
	void repeatedRateLimitHeadersTakeTheLargestValidValue() {
		ProtocolHeaders headers = ProtocolHeaders.builder()
			.add("x-ratelimit-limit-requests", List.of("100", "-1", "5000"))
			.add("x-ratelimit-remaining-requests", List.of("0", "4999", "abc"))
			.add("x-ratelimit-reset-requests", List.of("1s", "6m0s", "soon"))
			.build();
		DimensionState requests = RateLimitHeaders.parse(headers, Dialect.OPENAI, NOW)
			.dimension(RateDimension.REQUESTS)
			.orElseThrow();
		assertThat(requests.limit()).hasValue(5000);
		assertThat(requests.remaining()).hasValue(4999);
		assertThat(requests.resetMillis()).hasValue(360_000);
	}

	// §8.5: on a 429, a reset instant is a hint even without a remaining header beside it

	@Test
	void anInstantResetOnA429IsAHintWithoutRemaining() {
		Classification verdict = classify(429, Dialect.ANTHROPIC,
				ProtocolHeaders.of("anthropic-ratelimit-requests-reset", "2026-03-01T12:00:25Z"),
				"{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Rate limited\"}}");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
		assertThat(verdict.hint()).hasValueSatisfying((hint) -> {
			assertThat(hint.source()).isEqualTo(RetryHint.Source.RATE_LIMIT_RESET);
			assertThat(hint.delayMillis()).isEqualTo(25_000);
		});
	}

	@Test
	void anEpochResetOnA429IsAHintWithoutRemaining() {
		String epochMillis = Long.toString(NOW.plusSeconds(12).toEpochMilli());
		Classification verdict = classify(429, Dialect.OPENROUTER, ProtocolHeaders.of("X-RateLimit-Reset", epochMillis),
				"{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded\"}}");
		assertThat(verdict.hint()).hasValueSatisfying((hint) -> assertThat(hint.delayMillis()).isEqualTo(12_000));
	}

	@Test
	void aDurationResetWithRemainingLeftIsNoHint() {
		Classification verdict = classify(429, Dialect.OPENAI,
				ProtocolHeaders.of("x-ratelimit-remaining-requests", "12", "x-ratelimit-reset-requests", "20s"), "");
		assertThat(verdict.hint()).isEmpty();
	}

	// §8.5: 10 digits are epoch seconds, 13 digits epoch milliseconds

	@Test
	void tenDigitEpochResetsAreSeconds() {
		String seconds = Long.toString(NOW.plusSeconds(30).getEpochSecond());
		assertThat(seconds).hasSize(10);
		for (Dialect dialect : List.of(Dialect.OPENROUTER, Dialect.TOGETHER, Dialect.GENERIC)) {
			DimensionState requests = RateLimitHeaders
				.parse(ProtocolHeaders.of("x-ratelimit-remaining", "0", "x-ratelimit-reset", seconds), dialect, NOW)
				.dimension(RateDimension.REQUESTS)
				.orElseThrow();
			assertThat(requests.resetMillis()).as(dialect.name()).hasValue(30_000);
			assertThat(requests.resetAt()).as(dialect.name()).hasValue(NOW.plusSeconds(30));
		}
	}

	@Test
	void thirteenDigitEpochResetsAreMilliseconds() {
		String millis = Long.toString(NOW.plusMillis(1_500).toEpochMilli());
		assertThat(millis).hasSize(13);
		for (Dialect dialect : List.of(Dialect.OPENROUTER, Dialect.TOGETHER, Dialect.GENERIC)) {
			DimensionState requests = RateLimitHeaders
				.parse(ProtocolHeaders.of("x-ratelimit-remaining", "0", "x-ratelimit-reset", millis), dialect, NOW)
				.dimension(RateDimension.REQUESTS)
				.orElseThrow();
			assertThat(requests.resetMillis()).as(dialect.name()).hasValue(1_500);
		}
	}

	@Test
	void epochParserGoesByLength() {
		assertThat(TimeParsers.epoch("1772366430")).hasValue(Instant.ofEpochSecond(1772366430L));
		assertThat(TimeParsers.epoch("1772366430000")).hasValue(Instant.ofEpochMilli(1772366430000L));
		assertThat(TimeParsers.epoch("17723664300")).isEmpty();
		assertThat(TimeParsers.epoch("300")).isEmpty();
		assertThat(TimeParsers.epoch("-772366430")).isEmpty();
	}

	// §8.5: a reset header without its companions still says when the budget is full

	@Test
	void aResetHeaderAloneMakesAState() {
		RateLimitSnapshot snapshot = RateLimitHeaders.parse(ProtocolHeaders.of("x-ratelimit-reset-tokens", "6m0s"),
				Dialect.OPENAI, NOW);
		DimensionState tokens = snapshot.dimension(RateDimension.TOKENS).orElseThrow();
		assertThat(tokens.resetMillis()).hasValue(360_000);
		assertThat(tokens.limit()).isEmpty();
		assertThat(tokens.remaining()).isEmpty();
		assertThat(tokens.exhausted()).isFalse();
	}

	@Test
	void anAnthropicResetAloneKeepsItsInstant() {
		DimensionState output = RateLimitHeaders
			.parse(ProtocolHeaders.of("anthropic-ratelimit-output-tokens-reset", "2026-03-01T12:01:00Z"),
					Dialect.ANTHROPIC, NOW)
			.dimension(RateDimension.OUTPUT_TOKENS)
			.orElseThrow();
		assertThat(output.resetMillis()).hasValue(60_000);
		assertThat(output.resetAt()).hasValue(Instant.parse("2026-03-01T12:01:00Z"));
	}

	// §8.7: no value can overflow anything; absurd values saturate at the horizon

	@ParameterizedTest
	@ValueSource(strings = { "retry-after=99999999999", "retry-after=Fri, 31 Dec 9999 23:59:59 GMT",
			"retry-after-ms=99999999999999", "retry-after-ms=99999999999999999999999999",
			"retry-after=9999999999999999999999999" })
	void absurdHintsSaturateAndNeverOverflow(String header) {
		String[] parts = header.split("=", 2);
		RetryHint hint = RetryHintResolver
			.resolve(ProtocolHeaders.of(parts[0], parts[1]), null, Dialect.OPENAI, NOW, CAP)
			.orElseThrow();
		assertThat(hint.requestedMillis()).isEqualTo(HORIZON_MILLIS);
		assertThat(hint.exceedsCap()).isTrue();
		assertThatNoException().isThrownBy(() -> hint.requested().toNanos());
		assertThatNoException().isThrownBy(() -> hint.requested().plus(hint.requested()).toNanos());
	}

	@ParameterizedTest
	@ValueSource(strings = { "9999-12-31T23:59:59Z", "99999999999", "9999999999999", "9999999999999999h" })
	void absurdResetsSaturate(String reset) {
		ProtocolHeaders headers = ProtocolHeaders.of("anthropic-ratelimit-requests-remaining", "0",
				"anthropic-ratelimit-requests-reset", reset, "x-ratelimit-remaining-tokens", "0",
				"x-ratelimit-reset-tokens", reset);
		for (Dialect dialect : Dialect.values()) {
			for (DimensionState state : RateLimitHeaders.parse(headers, dialect, NOW).dimensions().values()) {
				assertThat(state.resetMillis().orElse(0)).as(dialect + " " + state).isBetween(0L, HORIZON_MILLIS);
				assertThatNoException().isThrownBy(() -> Duration.ofMillis(state.resetMillis().orElse(0)).toNanos());
			}
		}
	}

	@Test
	void absurdBodyHintsSaturate() {
		assertThat(TimeParsers.protobufDurationMillis("\"99999999999999999999s\"")).hasValue(HORIZON_MILLIS);
		assertThat(TimeParsers.textHintMillis("Please try again in 99999999999999999999 hours."))
			.hasValue(HORIZON_MILLIS);
		assertThat(TimeParsers.goDurationNanos("9999999999999h")).hasValue(TimeParsers.HORIZON.toNanos());
	}

}
