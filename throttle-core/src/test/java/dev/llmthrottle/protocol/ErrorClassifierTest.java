package dev.llmthrottle.protocol;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorClassifierTest {

	static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

	static final long CAP = 120_000;

	private static Classification classify(int status, Dialect dialect, String body, String... headers) {
		return ErrorClassifier.classify(status, ProtocolHeaders.of(headers), body, dialect, NOW, CAP);
	}

	private static String openAiError(String message, String type, String code) {
		return "{\"error\":{\"message\":\"" + message + "\",\"type\":" + quoted(type) + ",\"param\":null,\"code\":"
				+ quoted(code) + "}}";
	}

	private static String anthropicError(String type, String message, String extra) {
		return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"" + extra
				+ "},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}";
	}

	private static String quoted(String value) {
		return (value != null) ? "\"" + value + "\"" : "null";
	}

	/** protocol.md §7 vector 14. */
	@Test
	void anthropicOutputTokensRateLimitWithRetryAfter() {
		Classification verdict = classify(429, Dialect.ANTHROPIC,
				"{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Output tokens per minute "
						+ "limit exceeded\"}}",
				"retry-after", "17");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
		assertThat(verdict.hint()).get().extracting(RetryHint::delayMillis).isEqualTo(17_000L);
		assertThat(verdict.limitType()).isEqualTo(LimitType.OUTPUT_TOKENS);
		assertThat(verdict.slowDown()).isTrue();
		assertThat(verdict.overload()).isFalse();
		assertThat(verdict.failFast()).isFalse();
		assertThat(verdict.reason()).contains("rate_limit_error").contains("Output tokens per minute");
	}

	/** protocol.md §7 vector 15. */
	@Test
	void anthropicSpendLimitWithoutRetryAfterIsNever() {
		Classification verdict = classify(429, Dialect.ANTHROPIC,
				anthropicError("rate_limit_error", "You have reached your monthly spend limit.",
						",\"details\":{\"error_code\":\"enforced_spend_limit_reached\"}"));
		assertThat(verdict.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
		assertThat(verdict.failFast()).isTrue();
		assertThat(verdict.retryable()).isFalse();
	}

	@Test
	void anthropicSpendLimitWithRetryAfterFollowsTheHint() {
		Classification verdict = classify(429, Dialect.ANTHROPIC, anthropicError("rate_limit_error",
				"Spend limit reached.", ",\"details\":{\"error_code\":\"enforced_spend_limit_reached\"}"),
				"retry-after", "86400");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
		assertThat(verdict.failFast()).isTrue();
	}

	/**
	 * protocol.md §7 vector 16: overload backs off and must not shrink learned limits.
	 */
	@Test
	void anthropicOverloaded() {
		Classification verdict = classify(529, Dialect.ANTHROPIC, anthropicError("overloaded_error", "Overloaded", ""));
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_BACKOFF);
		assertThat(verdict.overload()).isTrue();
		assertThat(verdict.slowDown()).isFalse();
		assertThat(verdict.rateLimits().isEmpty()).isTrue();
		assertThat(verdict.hint()).isEmpty();
	}

	/** protocol.md §7 vector 18. */
	@Test
	void openAiRequestTooLargeForTheLimitIsNever() {
		Classification verdict = classify(429, Dialect.OPENAI, openAiError(
				"Request too large for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, "
						+ "Requested 41250. The input or output tokens must be reduced in order to run successfully.",
				"tokens", "rate_limit_exceeded"));
		assertThat(verdict.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
		assertThat(verdict.limitType()).isEqualTo(LimitType.TOKENS);
	}

	@Test
	void requestTooLargeThatWouldFitIsStillARateLimit() {
		Classification verdict = classify(429, Dialect.OPENAI, openAiError(
				"Request too large for gpt-4o on tokens per min (TPM): Limit 50,000, Requested 41,250. Please try "
						+ "again in 2s.",
				"tokens", "rate_limit_exceeded"));
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
	}

	/** protocol.md §7 vector 19. */
	@Test
	void openAiInsufficientQuotaIsNeverEvenWithRetryAfter() {
		Classification verdict = classify(429, Dialect.OPENAI,
				"{\"error\":{\"type\":\"insufficient_quota\",\"code\":\"credit_balance_exhausted\"}}", "retry-after",
				"1");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
		assertThat(verdict.reason()).contains("credit_balance_exhausted");
	}

	@ParameterizedTest
	@ValueSource(strings = { "insufficient_quota", "credit_balance_exhausted", "organization_spend_limit_exceeded",
			"project_spend_limit_exceeded", "organization_usage_limit_exceeded", "billing_hard_limit_reached" })
	void quotaAndBillingCodesAreNever(String code) {
		Classification verdict = classify(429, Dialect.OPENAI, openAiError(
				"You exceeded your current quota, please check your plan and billing details.", "requests", code));
		assertThat(verdict.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
	}

	/** protocol.md §7 vector 20. */
	@Test
	void azureRateLimit() {
		Classification verdict = classify(429, Dialect.AZURE,
				"{\"error\":{\"code\":\"429\",\"message\":\"Requests to the ChatCompletions_Create Operation have "
						+ "exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 "
						+ "seconds.\"}}",
				"retry-after-ms", "6000", "retry-after", "6");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
		assertThat(verdict.hint()).get().extracting(RetryHint::delayMillis).isEqualTo(6000L);
		assertThat(verdict.limitType()).isEqualTo(LimitType.TOKENS);
	}

	@Test
	void azureDailyQuotaHintOfHoursFailsFast() {
		Classification verdict = classify(429, Dialect.AZURE,
				"{\"error\":{\"code\":\"429\",\"message\":\"Requests to the Embeddings_Create Operation have exceeded "
						+ "the daily call rate limit for your pricing tier. Please retry after 86400 seconds.\"}}");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
		assertThat(verdict.hint()).get().satisfies((hint) -> {
			assertThat(hint.exceedsCap()).isTrue();
			assertThat(hint.requestedMillis()).isEqualTo(86_400_000L);
		});
		assertThat(verdict.failFast()).isTrue();
	}

	@Test
	void azureHighDemandIsOverloadWithAHint() {
		Classification verdict = classify(429, Dialect.AZURE,
				"{\"error\":{\"code\":\"429\",\"message\":\"The system is experiencing high demand. Please retry "
						+ "after 2 seconds.\"}}",
				"retry-after-ms", "2000");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
		assertThat(verdict.overload()).isTrue();
		assertThat(verdict.slowDown()).isFalse();
	}

	/** protocol.md §7 vector 22 and §3 Gemini rows. */
	@Test
	void geminiPerMinuteQuotaFollowsRetryDelay() {
		Classification verdict = classify(429, Dialect.GEMINI,
				RetryHintResolverTest.gemini429("37s", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"));
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
		assertThat(verdict.hint()).get().extracting(RetryHint::source).isEqualTo(RetryHint.Source.BODY_RETRY_INFO);
		assertThat(verdict.limitType()).isEqualTo(LimitType.REQUESTS);
		assertThat(verdict.reason()).contains("RESOURCE_EXHAUSTED").doesNotContain("\n");
	}

	@Test
	void geminiPerDayQuotaIsNever() {
		Classification verdict = classify(429, Dialect.GEMINI,
				RetryHintResolverTest.gemini429("37s", "GenerateRequestsPerDayPerProjectPerModel-FreeTier"));
		assertThat(verdict.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
	}

	@Test
	void geminiInputTokenQuota() {
		Classification verdict = classify(429, Dialect.GEMINI,
				RetryHintResolverTest.gemini429("5s", "GenerateContentInputTokensPerModelPerMinute-FreeTier"));
		assertThat(verdict.limitType()).isEqualTo(LimitType.INPUT_TOKENS);
	}

	@Test
	void geminiUnavailableIsOverload() {
		Classification verdict = classify(503, Dialect.GEMINI,
				"{\"error\":{\"code\":503,\"message\":\"The model is overloaded. Please try again later.\",\"status\":"
						+ "\"UNAVAILABLE\"}}");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_BACKOFF);
		assertThat(verdict.overload()).isTrue();
	}

	@Test
	void geminiArrayWrappedError() {
		Classification verdict = classify(429, Dialect.GEMINI,
				"[" + RetryHintResolverTest.gemini429("0.250s", "GenerateRequestsPerMinutePerProjectPerModel") + "]");
		assertThat(verdict.hint()).get().extracting(RetryHint::delayMillis).isEqualTo(250L);
	}

	@Test
	void vertexPayAsYouGoExhaustionIsSharedPoolOverload() {
		Classification verdict = classify(429, Dialect.GEMINI,
				"{\"error\":{\"code\":429,\"message\":\"Resource exhausted, please try again later.\",\"status\":"
						+ "\"RESOURCE_EXHAUSTED\"}}");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_BACKOFF);
		assertThat(verdict.overload()).isTrue();
	}

	@Test
	void vertexProvisionedThroughputAsksToSlowDown() {
		Classification verdict = classify(429, Dialect.GEMINI,
				"{\"error\":{\"code\":429,\"message\":\"Too many requests. Exceeded the Provisioned Throughput.\","
						+ "\"status\":\"RESOURCE_EXHAUSTED\"}}");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_SLOW_DOWN);
		assertThat(verdict.slowDown()).isTrue();
	}

	/** protocol.md §7 vector 24. */
	@Test
	void groq429() {
		Classification verdict = classify(429, Dialect.GROQ,
				"{\"error\":{\"message\":\"Rate limit reached for model llama-3.3-70b-versatile on requests per day "
						+ "(RPD): Limit 1000, Used 1000, Requested 1.\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}",
				"retry-after", "2", "x-ratelimit-limit-requests", "1000", "x-ratelimit-remaining-requests", "0",
				"x-ratelimit-reset-requests", "2m59.56s");
		assertThat(verdict.hint()).get().extracting(RetryHint::delayMillis).isEqualTo(2000L);
		DimensionState requests = verdict.rateLimits().dimension(RateDimension.REQUESTS).orElseThrow();
		assertThat(requests.window()).hasValue(java.time.Duration.ofDays(1));
		assertThat(requests.resetMillis()).hasValue(179_560);
		assertThat(verdict.limitType()).isEqualTo(LimitType.REQUESTS);
	}

	/** protocol.md §7 vector 26. */
	@Test
	void bareTooManyRequestsBacksOff() {
		Classification verdict = classify(429, Dialect.GENERIC, "");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_BACKOFF);
		assertThat(verdict.rateLimits().isEmpty()).isTrue();
		assertThat(verdict.limitType()).isEqualTo(LimitType.UNKNOWN);
		assertThat(verdict.reason()).isEqualTo("HTTP 429");
	}

	@ParameterizedTest
	@ValueSource(ints = { 400, 401, 403, 404, 405, 410, 415, 422, 451, 499 })
	void clientErrorsAreNever(int status) {
		assertThat(classify(status, Dialect.OPENAI, openAiError("bad", "invalid_request_error", null)).category())
			.isEqualTo(ErrorCategory.NEVER_RETRY);
	}

	@ParameterizedTest
	@ValueSource(ints = { 408, 409, 429, 500, 502, 503, 504, 520, 529, 599 })
	void retryableStatuses(int status) {
		Classification verdict = classify(status, Dialect.OPENAI, null);
		assertThat(verdict.retryable()).isTrue();
		assertThat(verdict.category()).isIn(ErrorCategory.RETRY_BACKOFF, ErrorCategory.RETRY_SLOW_DOWN);
	}

	@ParameterizedTest
	@ValueSource(ints = { 100, 200, 201, 204, 301, 304, 399 })
	void nonErrorsSucceed(int status) {
		Classification verdict = classify(status, Dialect.OPENAI, "{\"error\":{\"type\":\"insufficient_quota\"}}",
				"x-should-retry", "true", "x-ratelimit-remaining-requests", "3");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.SUCCESS);
		assertThat(verdict.rateLimits().dimension(RateDimension.REQUESTS)).isPresent();
	}

	@Test
	void anthropicUsageLimitsAreNever() {
		assertThat(classify(400, Dialect.ANTHROPIC, anthropicError("invalid_request_error",
				"You have reached your specified API usage limits. You will regain access on 2026-04-01 at 00:00 UTC.",
				""))
			.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
		assertThat(classify(429, Dialect.ANTHROPIC,
				anthropicError("rate_limit_error", "You have reached your specified workspace API usage limits.", ""))
			.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
	}

	@Test
	void paymentAndTooLargeAreNever() {
		assertThat(
				classify(402, Dialect.ANTHROPIC, anthropicError("billing_error", "Your credit balance is too low.", ""))
					.category())
			.isEqualTo(ErrorCategory.NEVER_RETRY);
		assertThat(classify(413, Dialect.ANTHROPIC,
				anthropicError("request_too_large", "Request exceeds the maximum " + "allowed number of bytes.", ""))
			.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
		assertThat(classify(402, Dialect.OPENROUTER,
				"{\"error\":{\"code\":402,\"message\":\"Insufficient credits\",\"metadata\":{\"limit_source\":\"key\"}}}")
			.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
		assertThat(classify(402, Dialect.GENERIC,
				"{\"error\":{\"message\":\"Insufficient Balance\",\"type\":"
						+ "\"unknown_error\",\"param\":null,\"code\":\"invalid_request_error\"}}")
			.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
	}

	@Test
	void openAiSlowDown() {
		Classification on429 = classify(429, Dialect.OPENAI,
				openAiError("Please reduce your rate of requests.", "slow_down", "slow_down"));
		assertThat(on429.category()).isEqualTo(ErrorCategory.RETRY_SLOW_DOWN);
		assertThat(on429.slowDown()).isTrue();
		Classification on503 = classify(503, Dialect.OPENAI, "Slow Down");
		assertThat(on503.category()).isEqualTo(ErrorCategory.RETRY_SLOW_DOWN);
		assertThat(on503.overload()).isFalse();
		assertThat(on503.slowDown()).isTrue();
	}

	@Test
	void openAiServerOverloaded() {
		Classification verdict = classify(503, Dialect.OPENAI,
				openAiError("The server is overloaded or not ready yet.", "server_error", "server_is_overloaded"));
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_BACKOFF);
		assertThat(verdict.overload()).isTrue();
	}

	@Test
	void openAiServerErrorWithRetryAfterFollowsTheHint() {
		Classification verdict = classify(500, Dialect.OPENAI,
				openAiError("The server had an error", "server_error", null), "retry-after", "3");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
		assertThat(verdict.overload()).isFalse();
		assertThat(verdict.slowDown()).isFalse();
	}

	@Test
	void mistralCapacityIsBackoffWithoutShrinking() {
		Classification verdict = classify(429, Dialect.GENERIC, "{\"object\":\"error\",\"message\":\"Service tier "
				+ "capacity exceeded for this model.\",\"type\":\"service_tier_capacity_exceeded\",\"param\":null,"
				+ "\"code\":\"3505\"}");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_BACKOFF);
		assertThat(verdict.overload()).isTrue();
		assertThat(verdict.slowDown()).isFalse();
	}

	@Test
	void togetherAboveTheDynamicRateSlowsDownAndBelowItBacksOff() {
		assertThat(classify(429, Dialect.TOGETHER, "{\"message\":\"rate limit exceeded\"}").category())
			.isEqualTo(ErrorCategory.RETRY_SLOW_DOWN);
		Classification on503 = classify(503, Dialect.TOGETHER, "{\"message\":\"service unavailable\"}");
		assertThat(on503.category()).isEqualTo(ErrorCategory.RETRY_BACKOFF);
		assertThat(on503.overload()).isTrue();
	}

	@Test
	void shouldRetryHeaderOverridesTheStatus() {
		Classification forced = classify(400, Dialect.OPENAI, openAiError("bad", "invalid_request_error", null),
				"x-should-retry", "true");
		assertThat(forced.category()).isEqualTo(ErrorCategory.RETRY_BACKOFF);
		Classification forbidden = classify(429, Dialect.OPENAI, null, "X-Should-Retry", " FALSE ", "retry-after", "1");
		assertThat(forbidden.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
		Classification quota = classify(429, Dialect.OPENAI, "{\"error\":{\"type\":\"insufficient_quota\"}}",
				"x-should-retry", "true", "retry-after", "1");
		assertThat(quota.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
		Classification garbage = classify(400, Dialect.OPENAI, null, "x-should-retry", "maybe");
		assertThat(garbage.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
	}

	@Test
	void limitTypeFromOpenAiTypeAndFromExhaustedHeaders() {
		assertThat(classify(429, Dialect.OPENAI, openAiError("Rate limit reached", "requests", "rate_limit_exceeded"))
			.limitType()).isEqualTo(LimitType.REQUESTS);
		assertThat(classify(429, Dialect.OPENAI, null, "x-ratelimit-limit-tokens", "100",
				"x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "2s", "x-ratelimit-limit-requests",
				"10", "x-ratelimit-remaining-requests", "3")
			.limitType()).isEqualTo(LimitType.TOKENS);
		assertThat(classify(429, Dialect.ANTHROPIC, anthropicError("rate_limit_error",
				"This request would exceed the rate limit for your organization of 50,000 input tokens per minute.",
				""))
			.limitType()).isEqualTo(LimitType.INPUT_TOKENS);
	}

	@Test
	void rateLimitResetIsTheHintWhenNothingElseIs() {
		Classification verdict = classify(429, Dialect.OPENAI, null, "x-ratelimit-limit-tokens", "100",
				"x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "2s");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
		assertThat(verdict.hint()).get().extracting(RetryHint::source).isEqualTo(RetryHint.Source.RATE_LIMIT_RESET);
	}

	@Test
	void reasonIsRedactedSingleLineAndShort() {
		Classification verdict = classify(401, Dialect.OPENAI, openAiError(
				"Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz0123456789.\\nYou can find your API key "
						+ "at https://platform.openai.com/account/api-keys. " + "x".repeat(1000),
				"invalid_request_error", "invalid_api_key"));
		assertThat(verdict.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
		assertThat(verdict.reason()).doesNotContain("abcdefghijklmnop").doesNotContain("\n").contains("[REDACTED]");
		assertThat(verdict.reason().length()).isLessThanOrEqualTo(SecretRedactor.DEFAULT_MAX_LENGTH);
	}

	@Test
	void htmlGatewayErrorBacksOff() {
		Classification verdict = classify(502, Dialect.OPENAI,
				"<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>");
		assertThat(verdict.category()).isEqualTo(ErrorCategory.RETRY_BACKOFF);
		assertThat(verdict.reason()).startsWith("HTTP 502: <html>");
	}

	@Test
	void streamErrorEventAfterOkIsClassifiedByItsType() {
		Classification overloaded = ErrorClassifier.classifyStreamEvent(
				"data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
				Dialect.ANTHROPIC, NOW, CAP);
		assertThat(overloaded.status()).isEqualTo(529);
		assertThat(overloaded.category()).isEqualTo(ErrorCategory.RETRY_BACKOFF);
		assertThat(overloaded.overload()).isTrue();
		Classification apiError = ErrorClassifier.classifyStreamEvent(
				"{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}",
				Dialect.ANTHROPIC, NOW, CAP);
		assertThat(apiError.status()).isEqualTo(500);
		assertThat(apiError.category()).isEqualTo(ErrorCategory.RETRY_BACKOFF);
		Classification rateLimited = ErrorClassifier.classifyStreamEvent(
				"{\"error\":{\"message\":\"Rate limit reached. Please try again in 20ms.\",\"type\":\"tokens\","
						+ "\"code\":\"rate_limit_exceeded\"}}",
				Dialect.OPENAI, NOW, CAP);
		assertThat(rateLimited.category()).isEqualTo(ErrorCategory.RETRY_AFTER_HINT);
		Classification responsesQuota = ErrorClassifier.classifyStreamEvent(
				"{\"type\":\"error\",\"code\":\"insufficient_quota\",\"message\":\"You exceeded your current quota\"}",
				Dialect.OPENAI, NOW, CAP);
		assertThat(responsesQuota.category()).isEqualTo(ErrorCategory.NEVER_RETRY);
	}

	@ParameterizedTest
	@ValueSource(strings = { "[DONE]", "",
			"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
					+ "\"text_delta\",\"text\":\"error\"}}",
			"{\"choices\":[],\"usage\":null,\"error\":null}", "{garbage", ": keep-alive" })
	void ordinaryStreamEventsAreNotErrors(String data) {
		assertThat(ErrorClassifier.classifyStreamEvent(data, Dialect.OPENAI, NOW, CAP).category())
			.isEqualTo(ErrorCategory.SUCCESS);
	}

}
