package dev.llmthrottle.protocol;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RetryHintResolverTest {

	static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

	static final long CAP = 120_000;

	private static Optional<RetryHint> resolve(Dialect dialect, String body, String... headers) {
		return RetryHintResolver.resolve(ProtocolHeaders.of(headers), body, dialect, NOW, CAP);
	}

	private static RetryHint hint(Dialect dialect, String body, String... headers) {
		return resolve(dialect, body, headers).orElseThrow(() -> new AssertionError("no hint"));
	}

	/** protocol.md §7 vectors 4, 5 and 12. */
	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "7|7000", "1.5|1500", "Sun, 01 Mar 2026 12:00:30 GMT|30000", "' 7 '|7000",
			"Sunday, 01-Mar-26 12:00:30 GMT|30000", "Sun Mar  1 12:00:30 2026|30000", "0.0001|1" })
	void retryAfter(String value, long expected) {
		RetryHint hint = hint(Dialect.OPENAI, null, "Retry-After", value);
		assertThat(hint.source()).isEqualTo(RetryHint.Source.RETRY_AFTER);
		assertThat(hint.delayMillis()).isEqualTo(expected);
		assertThat(hint.exceedsCap()).isFalse();
	}

	/** protocol.md §7 vectors 4 ({@code 0}), 6 (past date) and 8. */
	@ParameterizedTest
	@ValueSource(strings = { "0", "Sun, 01 Mar 2026 11:59:00 GMT", "-5", "NaN", "Infinity", "abc", "",
			"Sun, 01 Mar 2026 12:00:00 GMT", "1e3", "0.000" })
	void noHintMeansBackoff(String value) {
		assertThat(resolve(Dialect.OPENAI, null, "retry-after", value)).isEmpty();
	}

	/** protocol.md §7 vector 9: above the cap, reported without overflow. */
	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "86400|86400000", "99999999999|3155760000000" })
	void aboveTheCap(String value, long requested) {
		RetryHint hint = hint(Dialect.OPENAI, null, "retry-after", value);
		assertThat(hint.exceedsCap()).isTrue();
		assertThat(hint.requestedMillis()).isEqualTo(requested);
		assertThat(hint.delayMillis()).isEqualTo(CAP);
	}

	@Test
	void hugeRetryAfterMsIsReportedAboveTheCap() {
		RetryHint hint = hint(Dialect.OPENAI, null, "retry-after-ms", String.valueOf(Long.MAX_VALUE));
		assertThat(hint.exceedsCap()).isTrue();
		assertThat(hint.delayMillis()).isEqualTo(CAP);
	}

	/** protocol.md §7 vector 10. */
	@Test
	void retryAfterMsWinsAndAnInvalidOneFallsThrough() {
		RetryHint first = hint(Dialect.OPENAI, null, "retry-after-ms", "2000", "retry-after", "2");
		assertThat(first.source()).isEqualTo(RetryHint.Source.RETRY_AFTER_MS);
		assertThat(first.delayMillis()).isEqualTo(2000);
		RetryHint second = hint(Dialect.OPENAI, null, "retry-after-ms", "x", "retry-after", "3");
		assertThat(second.source()).isEqualTo(RetryHint.Source.RETRY_AFTER);
		assertThat(second.delayMillis()).isEqualTo(3000);
	}

	@Test
	void zeroRetryAfterMsFallsThroughToRetryAfter() {
		assertThat(hint(Dialect.OPENAI, null, "retry-after-ms", "0", "retry-after", "4").delayMillis()).isEqualTo(4000);
	}

	@Test
	void aDuplicateInvalidRetryAfterIsSkippedForAValidOne() {
		ProtocolHeaders headers = ProtocolHeaders.builder().add("retry-after", "soon").add("Retry-After", "5").build();
		assertThat(RetryHintResolver.resolve(headers, null, Dialect.OPENAI, NOW, CAP)).get()
			.extracting(RetryHint::delayMillis)
			.isEqualTo(5000L);
	}

	/** protocol.md §7 vector 20. */
	@Test
	void azureRetryAfterMs() {
		RetryHint hint = hint(Dialect.AZURE,
				"{\"error\":{\"code\":\"429\",\"message\":\"Requests to the ChatCompletions_Create Operation under "
						+ "Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current "
						+ "OpenAI S0 pricing tier. Please retry after 6 seconds.\"}}",
				"retry-after-ms", "6000", "retry-after", "6");
		assertThat(hint.source()).isEqualTo(RetryHint.Source.RETRY_AFTER_MS);
		assertThat(hint.delayMillis()).isEqualTo(6000);
	}

	@Test
	void azureBodyHintAloneIsUsed() {
		RetryHint hint = hint(Dialect.AZURE,
				"{\"error\":{\"code\":\"429\",\"message\":\"Please retry after 6 seconds.\"}}");
		assertThat(hint.source()).isEqualTo(RetryHint.Source.BODY_MESSAGE);
		assertThat(hint.delayMillis()).isEqualTo(6000);
	}

	/** protocol.md §7 vector 22. */
	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "37s|37000", "0.250s|250", "1.000340012s|1001" })
	void geminiRetryInfo(String delay, long expected) {
		RetryHint hint = hint(Dialect.GEMINI, gemini429(delay, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"));
		assertThat(hint.source()).isEqualTo(RetryHint.Source.BODY_RETRY_INFO);
		assertThat(hint.delayMillis()).isEqualTo(expected);
	}

	@Test
	void geminiMessageHintWhenRetryInfoIsMissing() {
		String body = "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota. Please retry in "
				+ "49.484914876s.\",\"status\":\"RESOURCE_EXHAUSTED\"}}";
		RetryHint hint = hint(Dialect.GEMINI, body);
		assertThat(hint.source()).isEqualTo(RetryHint.Source.BODY_MESSAGE);
		assertThat(hint.delayMillis()).isEqualTo(49_485);
	}

	@Test
	void geminiRetryInfoInObjectForm() {
		String body = "{\"error\":{\"code\":429,\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
				+ "\"retryDelay\":{\"seconds\":\"2\",\"nanos\":500000000}}]}}";
		assertThat(hint(Dialect.GEMINI, body).delayMillis()).isEqualTo(2500);
	}

	@Test
	void openAiBodyHint() {
		String body = "{\"error\":{\"message\":\"Rate limit reached for gpt-4o in organization org-abc on tokens per "
				+ "min (TPM): Limit 30000, Used 29500, Requested 800. Please try again in 1.146s. Visit "
				+ "https://platform.openai.com/account/rate-limits to learn more.\",\"type\":\"tokens\",\"param\":null,"
				+ "\"code\":\"rate_limit_exceeded\"}}";
		RetryHint hint = hint(Dialect.OPENAI, body);
		assertThat(hint.source()).isEqualTo(RetryHint.Source.BODY_MESSAGE);
		assertThat(hint.delayMillis()).isEqualTo(1146);
	}

	@Test
	void plainTextBodyHint() {
		assertThat(hint(Dialect.GENERIC, "Too Many Requests. Please retry after 6 seconds").delayMillis())
			.isEqualTo(6000);
	}

	@Test
	void headerHintBeatsBodyHint() {
		RetryHint hint = hint(Dialect.OPENAI, "{\"error\":{\"message\":\"Please try again in 20ms.\"}}", "retry-after",
				"2");
		assertThat(hint.source()).isEqualTo(RetryHint.Source.RETRY_AFTER);
	}

	@Test
	void resetHeaderWhenRemainingIsZero() {
		RetryHint hint = hint(Dialect.OPENAI, null, "x-ratelimit-limit-requests", "60",
				"x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "1.5s");
		assertThat(hint.source()).isEqualTo(RetryHint.Source.RATE_LIMIT_RESET);
		assertThat(hint.delayMillis()).isEqualTo(1500);
	}

	@Test
	void resetHeaderIsIgnoredWhileSomethingRemains() {
		assertThat(resolve(Dialect.OPENAI, null, "x-ratelimit-limit-requests", "60", "x-ratelimit-remaining-requests",
				"1", "x-ratelimit-reset-requests", "1.5s"))
			.isEmpty();
	}

	@Test
	void bodyHintBeatsResetHeader() {
		RetryHint hint = hint(Dialect.OPENAI, "{\"error\":{\"message\":\"Please try again in 20ms.\"}}",
				"x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "30s");
		assertThat(hint.source()).isEqualTo(RetryHint.Source.BODY_MESSAGE);
		assertThat(hint.delayMillis()).isEqualTo(20);
	}

	@Test
	void theLongestExhaustedResetWinsUnlessTheConcernedDimensionIsExhausted() {
		ProtocolHeaders headers = ProtocolHeaders.of("anthropic-ratelimit-input-tokens-limit", "1000",
				"anthropic-ratelimit-input-tokens-remaining", "0", "anthropic-ratelimit-input-tokens-reset",
				"2026-03-01T12:00:03Z", "anthropic-ratelimit-output-tokens-limit", "1000",
				"anthropic-ratelimit-output-tokens-remaining", "0", "anthropic-ratelimit-output-tokens-reset",
				"2026-03-01T12:00:09Z");
		RateLimitSnapshot snapshot = RateLimitHeaders.parse(headers, Dialect.ANTHROPIC, NOW);
		assertThat(RetryHintResolver.resolve(headers, ErrorBody.NONE, null, snapshot, LimitType.UNKNOWN, NOW, CAP))
			.get()
			.extracting(RetryHint::delayMillis)
			.isEqualTo(9000L);
		assertThat(RetryHintResolver.resolve(headers, ErrorBody.NONE, null, snapshot, LimitType.INPUT_TOKENS, NOW, CAP))
			.get()
			.extracting(RetryHint::delayMillis)
			.isEqualTo(3000L);
	}

	/** protocol.md §7 vector 24: the 429's retry-after, not the daily reset. */
	@Test
	void groqRetryAfterBeatsTheDailyReset() {
		RetryHint hint = hint(Dialect.GROQ, null, "retry-after", "2", "x-ratelimit-remaining-requests", "0",
				"x-ratelimit-reset-requests", "2m59.56s");
		assertThat(hint.delayMillis()).isEqualTo(2000);
	}

	@Test
	void negativeCapCountsAsZero() {
		RetryHint hint = RetryHintResolver
			.resolve(ProtocolHeaders.of("retry-after", "1"), null, Dialect.OPENAI, NOW, -5)
			.orElseThrow();
		assertThat(hint.delayMillis()).isZero();
		assertThat(hint.exceedsCap()).isTrue();
	}

	@Test
	void nothingAtAll() {
		assertThat(RetryHintResolver.resolve(null, null, null, NOW, CAP)).isEmpty();
		assertThat(resolve(Dialect.OPENAI, "{not json")).isEmpty();
	}

	static String gemini429(String retryDelay, String quotaId) {
		return "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota, please check your plan and "
				+ "billing details.\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":"
				+ "\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":"
				+ "\"generativelanguage.googleapis.com/generate_content_free_tier_requests\",\"quotaId\":\"" + quotaId
				+ "\",\"quotaDimensions\":{\"location\":\"global\",\"model\":\"gemini-2.0-flash\"},\"quotaValue\":\"15\"}]},"
				+ "{\"@type\":\"type.googleapis.com/google.rpc.Help\",\"links\":[{\"description\":\"Learn more\","
				+ "\"url\":\"https://ai.google.dev/gemini-api/docs/rate-limits\"}]},{\"@type\":"
				+ "\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"" + retryDelay + "\"}]}}";
	}

}
