package dev.llmthrottle.test;

import static dev.llmthrottle.test.Http.header;
import static dev.llmthrottle.test.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.clock.ManualClock;
import dev.llmthrottle.test.config.CompletionLength;
import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Faults;
import dev.llmthrottle.test.config.GoDuration;
import dev.llmthrottle.test.config.HintStyle;
import dev.llmthrottle.test.config.Limit;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI dialect over HTTP on virtual time (no latency): headers and bodies parsed back
 * and checked against hand-computed state. The request "Hello" with max_tokens 40 has a
 * prompt of ceil(5/4) + 3 + 3 = 8 tokens and, with completion length fixed at half of
 * max_tokens, 20 output tokens.
 */
class OpenAiDialectTest {

	static final String HELLO = Http.openAiBody("Hello", 40);

	final ManualClock clock = new ManualClock();

	SimulatedProvider provider;

	SimulatedProvider start(Faults faults) {
		return start(Dialect.OPENAI, faults, "requests:3/10s", "tokens:1000/10s");
	}

	SimulatedProvider start(Dialect dialect, Faults faults, String... limits) {
		SimulatedProvider.Builder builder = SimulatedProvider.builder()
			.dialect(dialect)
			.model(EnforcementModel.SLIDING_WINDOW)
			.completionLength(CompletionLength.fraction(0.5))
			.faults(faults)
			.seed(1)
			.clock(clock);
		for (String limit : limits) {
			builder.limit(limit);
		}
		provider = builder.start();
		return provider;
	}

	@AfterEach
	void stop() {
		if (provider != null) {
			provider.close();
		}
	}

	HttpResponse<String> hello() throws Exception {
		return Http.post(provider.chatUri(), HELLO);
	}

	@Test
	void successCarriesUsageAndHeadersConsistentWithTheState() throws Exception {
		start(Faults.none());
		HttpResponse<String> first = hello();
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(header(first, "x-ratelimit-limit-requests")).isEqualTo("3");
		assertThat(header(first, "x-ratelimit-remaining-requests")).isEqualTo("2");
		assertThat(header(first, "x-ratelimit-reset-requests")).isEqualTo("10s");
		assertThat(header(first, "x-ratelimit-limit-tokens")).isEqualTo("1000");
		assertThat(header(first, "x-ratelimit-remaining-tokens")).as("settled to 8 + 20").isEqualTo("972");
		assertThat(header(first, "x-ratelimit-reset-tokens")).isEqualTo("10s");
		assertThat(header(first, "date")).isEqualTo("Sun, 01 Mar 2026 12:00:00 GMT");
		assertThat(header(first, "x-request-id")).isNotBlank();

		JsonNode body = json(first.body());
		assertThat(body.get("object").asString()).isEqualTo("chat.completion");
		assertThat(body.get("model").asString()).isEqualTo("gpt-4o");
		JsonNode choice = body.get("choices").get(0);
		assertThat(choice.get("message").get("role").asString()).isEqualTo("assistant");
		assertThat(choice.get("message").get("content").asString()).hasSize(20 * 4 - 1);
		assertThat(choice.get("finish_reason").asString()).isEqualTo("stop");
		JsonNode usage = body.get("usage");
		assertThat(usage.get("prompt_tokens").asLong()).isEqualTo(8);
		assertThat(usage.get("completion_tokens").asLong()).isEqualTo(20);
		assertThat(usage.get("total_tokens").asLong()).isEqualTo(28);

		clock.advance(Duration.ofSeconds(4));
		HttpResponse<String> second = hello();
		assertThat(header(second, "x-ratelimit-remaining-requests")).isEqualTo("1");
		assertThat(header(second, "x-ratelimit-reset-requests")).as("newest entry + 10s").isEqualTo("10s");
		assertThat(header(second, "x-ratelimit-remaining-tokens")).isEqualTo("944");
	}

	@Test
	void rateLimited429CarriesATruthfulHint() throws Exception {
		start(Faults.none());
		hello();
		clock.advance(Duration.ofMillis(3500));
		hello();
		hello();
		HttpResponse<String> refused = hello();
		assertThat(refused.statusCode()).isEqualTo(429);
		// the entry admitted at 0 s leaves the window at 10 s: 6.5 s from now
		assertThat(header(refused, "retry-after")).isEqualTo("7");
		String ms = header(refused, "retry-after-ms");
		if (ms != null) {
			assertThat(ms).isEqualTo("6500");
		}
		assertThat(header(refused, "x-ratelimit-remaining-requests")).isEqualTo("0");
		assertThat(GoDuration.parse(header(refused, "x-ratelimit-reset-requests"))).isEqualTo(Duration.ofSeconds(10));
		JsonNode error = json(refused.body()).get("error");
		assertThat(error.get("type").asString()).isEqualTo("requests");
		assertThat(error.get("code").asString()).isEqualTo("rate_limit_exceeded");
		assertThat(error.get("message").asString()).startsWith("Rate limit reached for gpt-4o")
			.contains("on requests per 10s: Limit 3, Used 3, Requested 1.")
			.contains("Please try again in 6.5s.");

		clock.advance(Duration.ofMillis(6500));
		assertThat(hello().statusCode()).isEqualTo(200);
		assertThat(provider.stats().rejected("rate-limit:requests")).isEqualTo(1);
		assertThat(provider.stats().tooManyRequests()).isEqualTo(1);
	}

	@Test
	void retryAfterMsIsSentSometimes() throws Exception {
		start(Dialect.OPENAI, Faults.none(), "requests:1/10s");
		hello();
		int withMillis = 0;
		for (int i = 0; i < 20; i++) {
			if (header(hello(), "retry-after-ms") != null) {
				withMillis++;
			}
		}
		assertThat(withMillis).isBetween(1, 19);
	}

	@Test
	void tokenLimitRefusalNamesTokens() throws Exception {
		start(Dialect.OPENAI, Faults.none(), "tokens:100/10s");
		Http.post(provider.chatUri(), Http.openAiBody("Hello", 80));
		HttpResponse<String> refused = Http.post(provider.chatUri(), Http.openAiBody("Hello", 80));
		assertThat(refused.statusCode()).isEqualTo(429);
		JsonNode error = json(refused.body()).get("error");
		assertThat(error.get("type").asString()).isEqualTo("tokens");
		// first call settled to 8 + 40 = 48, so 52 remain; the second needs 8 + 80 = 88
		assertThat(error.get("message").asString()).contains("Limit 100, Used 48, Requested 88.");
		assertThat(provider.stats().rejected("rate-limit:tokens")).isEqualTo(1);
	}

	@Test
	void requestTooLargeIsRefusedWithoutHint() throws Exception {
		start(Faults.none());
		HttpResponse<String> refused = Http.post(provider.chatUri(), Http.openAiBody("Hello", 2000));
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(header(refused, "retry-after")).isNull();
		assertThat(json(refused.body()).get("error").get("message").asString())
			.startsWith("Request too large for gpt-4o")
			.contains("Limit 1000, Requested 2008.");
		assertThat(provider.stats().rejected("too-large")).isEqualTo(1);
	}

	@Test
	void exhaustedQuotaNeverRecovers() throws Exception {
		start(Faults.none().quotaExhausted(true));
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> refused = hello();
			assertThat(refused.statusCode()).isEqualTo(429);
			JsonNode error = json(refused.body()).get("error");
			assertThat(error.get("type").asString()).isEqualTo("insufficient_quota");
			assertThat(error.get("code").asString()).isEqualTo("insufficient_quota");
			assertThat(header(refused, "retry-after")).isNull();
			clock.advance(Duration.ofHours(1));
		}
		assertThat(provider.stats().rejected("quota-exhausted")).isEqualTo(3);
		assertThat(provider.stats().admitted()).isZero();
	}

	@Test
	void hintStylesExerciseHintParsing() throws Exception {
		DateTimeFormatter httpDate = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
			.withZone(ZoneOffset.UTC);
		for (HintStyle style : HintStyle.values()) {
			clock.advance(Duration.ofMinutes(1));
			start(Dialect.OPENAI, Faults.none().hint(style), "requests:1/10s");
			Instant admittedAt = clock.now();
			hello();
			clock.advance(Duration.ofMillis(3500));
			HttpResponse<String> refused = hello();
			String retryAfter = header(refused, "retry-after");
			switch (style) {
				case SECONDS:
					assertThat(retryAfter).isEqualTo("7");
					break;
				case HTTP_DATE:
					// the instant the request fits (admittedAt + 10 s), rounded up to a
					// whole second
					Instant fits = admittedAt.plusSeconds(10);
					Instant expected = fits.truncatedTo(ChronoUnit.SECONDS).equals(fits) ? fits
							: fits.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
					assertThat(retryAfter).isEqualTo(httpDate.format(expected));
					assertThat(header(refused, "retry-after-ms")).isNull();
					break;
				case PAST:
					assertThat(httpDate.parse(retryAfter, Instant::from)).isBefore(clock.now());
					break;
				case HUGE:
					assertThat(retryAfter).isEqualTo("86400");
					break;
				case NONE:
					assertThat(retryAfter).isNull();
					assertThat(header(refused, "retry-after-ms")).isNull();
					break;
				default:
					throw new AssertionError(style);
			}
			provider.close();
		}
	}

	@Test
	void missingAndMalformedHeaders() throws Exception {
		start(Faults.none().missingHeaders(1));
		HttpResponse<String> bare = hello();
		assertThat(bare.statusCode()).isEqualTo(200);
		assertThat(bare.headers().map().keySet()).noneMatch(name -> name.startsWith("x-ratelimit"));
		assertThat(header(bare, "date")).isNotNull();
		provider.close();

		start(Faults.none().malformedHeaders(1));
		HttpResponse<String> garbage = hello();
		List<String> allowed = List.of("soon", "-3s", "1e3s", "3 s", "", "abc", "-1", "NaN", "5m-2s");
		garbage.headers().map().forEach((name, values) -> {
			if (name.startsWith("x-ratelimit")) {
				assertThat(allowed).contains(values.get(0));
			}
		});
		assertThat(provider.stats().faults()).containsEntry("malformed-headers", 1L);
	}

	@Test
	void serverErrorsRefundTheOutputReservation() throws Exception {
		start(Faults.none().serverErrors(1));
		HttpResponse<String> failed = hello();
		assertThat(failed.statusCode()).isIn(500, 503);
		assertThat(json(failed.body()).get("error").get("type").asString()).isEqualTo("server_error");
		assertThat(header(failed, "x-ratelimit-remaining-tokens")).as("prompt only").isEqualTo("992");
		assertThat(provider.stats().faults()).containsEntry("server-error", 1L);
		assertThat(provider.stats().admitted()).isEqualTo(1);
	}

	@Test
	void noisyNeighbourShowsUpInTheHeadersButNotInTheEvidence() throws Exception {
		start(Dialect.OPENAI, Faults.none().noisyNeighbour(0.5), "requests:100/10s");
		clock.advance(Duration.ofSeconds(10));
		HttpResponse<String> response = hello();
		assertThat(header(response, "x-ratelimit-remaining-requests")).isEqualTo("49");
		assertThat(provider.stats().limit(Limit.parse("requests:100/10s")).maxInWindow()).isEqualTo(1);
	}

	@Test
	void azureResetsAreBareSecondsAndHintsCarryMilliseconds() throws Exception {
		start(Dialect.AZURE, Faults.none(), "requests:3/10s", "tokens:1000/10s");
		var azurePath = provider.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
		HttpResponse<String> ok = Http.post(azurePath, HELLO);
		assertThat(ok.statusCode()).isEqualTo(200);
		assertThat(header(ok, "x-ratelimit-reset-requests")).isEqualTo("10");
		assertThat(header(ok, "x-ratelimit-reset-tokens")).isEqualTo("10");
		clock.advance(Duration.ofMillis(3500));
		Http.post(azurePath, HELLO);
		Http.post(azurePath, HELLO);
		HttpResponse<String> refused = Http.post(azurePath, HELLO);
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(header(refused, "retry-after-ms")).isEqualTo("6500");
		assertThat(header(refused, "retry-after")).isEqualTo("7");
		JsonNode error = json(refused.body()).get("error");
		assertThat(error.get("code").asString()).isEqualTo("429");
		assertThat(error.get("message").asString()).contains("exceeded call rate limit")
			.contains("Please retry after 7 seconds.");
	}

	@Test
	void invalidRequestsAre400AndNotAdmitted() throws Exception {
		start(Faults.none());
		HttpResponse<String> bad = Http.post(provider.chatUri(), "{\"messages\":[]}");
		assertThat(bad.statusCode()).isEqualTo(400);
		assertThat(json(bad.body()).get("error").get("type").asString()).isEqualTo("invalid_request_error");
		assertThat(Http.post(provider.uri("/v1/messages"), HELLO).statusCode()).isEqualTo(404);
		assertThat(provider.stats().admitted()).isZero();
		assertThat(provider.stats().rejected("invalid-request")).isEqualTo(1);
	}

}
