package dev.llmthrottle.test;

import static dev.llmthrottle.test.Http.header;
import static dev.llmthrottle.test.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmthrottle.test.clock.ManualClock;
import dev.llmthrottle.test.config.CompletionLength;
import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Faults;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Anthropic dialect over HTTP on virtual time. "Hello" with max_tokens 40: input 8
 * tokens, output 20.
 */
class AnthropicDialectTest {

	static final String HELLO = Http.anthropicBody("Hello", 40);

	final ManualClock clock = new ManualClock();

	SimulatedProvider provider;

	SimulatedProvider start(boolean round, Faults faults) {
		provider = SimulatedProvider.builder()
			.dialect(Dialect.ANTHROPIC)
			.model(EnforcementModel.TOKEN_BUCKET)
			.limit("requests:3/10s")
			.limit("input-tokens:1000/10s")
			.limit("output-tokens:500/10s")
			.completionLength(CompletionLength.fraction(0.5))
			.roundAnthropicRemaining(round)
			.faults(faults)
			.clock(clock)
			.start();
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
	void successCarriesUsageAndRfc3339Resets() throws Exception {
		start(false, Faults.none());
		HttpResponse<String> ok = hello();
		assertThat(ok.statusCode()).isEqualTo(200);
		assertThat(header(ok, "anthropic-ratelimit-requests-limit")).isEqualTo("3");
		assertThat(header(ok, "anthropic-ratelimit-requests-remaining")).isEqualTo("2");
		// one request of a 3 per 10 s bucket refills in 3.33 s, rounded up to the second
		assertThat(header(ok, "anthropic-ratelimit-requests-reset")).isEqualTo("2026-03-01T12:00:04Z");
		assertThat(header(ok, "anthropic-ratelimit-input-tokens-limit")).isEqualTo("1000");
		assertThat(header(ok, "anthropic-ratelimit-input-tokens-remaining")).isEqualTo("992");
		assertThat(header(ok, "anthropic-ratelimit-input-tokens-reset")).isEqualTo("2026-03-01T12:00:01Z");
		assertThat(header(ok, "anthropic-ratelimit-output-tokens-limit")).isEqualTo("500");
		assertThat(header(ok, "anthropic-ratelimit-output-tokens-remaining")).isEqualTo("480");
		assertThat(header(ok, "anthropic-ratelimit-tokens-limit")).as("input + output").isEqualTo("1500");
		assertThat(header(ok, "anthropic-ratelimit-tokens-remaining")).isEqualTo("1472");
		assertThat(header(ok, "request-id")).isNotBlank();

		JsonNode body = json(ok.body());
		assertThat(body.get("type").asString()).isEqualTo("message");
		assertThat(body.get("role").asString()).isEqualTo("assistant");
		assertThat(body.get("content").get(0).get("text").asString()).hasSize(20 * 4 - 1);
		assertThat(body.get("stop_reason").asString()).isEqualTo("end_turn");
		assertThat(body.get("usage").get("input_tokens").asLong()).isEqualTo(8);
		assertThat(body.get("usage").get("output_tokens").asLong()).isEqualTo(20);
	}

	@Test
	void tokenRemainingIsRoundedToTheNearestThousandByDefault() throws Exception {
		start(true, Faults.none());
		HttpResponse<String> ok = hello();
		assertThat(header(ok, "anthropic-ratelimit-input-tokens-remaining")).isEqualTo("1000");
		assertThat(header(ok, "anthropic-ratelimit-output-tokens-remaining")).isEqualTo("0");
		assertThat(header(ok, "anthropic-ratelimit-requests-remaining")).isEqualTo("2");
	}

	@Test
	void rateLimited429() throws Exception {
		start(false, Faults.none());
		hello();
		hello();
		hello();
		HttpResponse<String> refused = hello();
		assertThat(refused.statusCode()).isEqualTo(429);
		// one request refills in 10/3 s
		assertThat(header(refused, "retry-after")).isEqualTo("4");
		assertThat(header(refused, "retry-after-ms")).isNull();
		JsonNode body = json(refused.body());
		assertThat(body.get("type").asString()).isEqualTo("error");
		assertThat(body.get("error").get("type").asString()).isEqualTo("rate_limit_error");
		assertThat(body.get("error").get("message").asString()).contains("3 requests per 10s");
		clock.advance(Duration.ofMillis(3334));
		assertThat(hello().statusCode()).isEqualTo(200);
	}

	@Test
	void outputTokensInDebtRefuseTheNextRequest() throws Exception {
		provider = SimulatedProvider.builder()
			.dialect(Dialect.ANTHROPIC)
			.model(EnforcementModel.SLIDING_WINDOW)
			.limit("output-tokens:30/10s")
			.completionLength(CompletionLength.fraction(1.0))
			.clock(clock)
			.start();
		assertThat(hello().statusCode()).isEqualTo(200);
		HttpResponse<String> refused = hello();
		assertThat(refused.statusCode()).as("40 output tokens charged against 30").isEqualTo(429);
		assertThat(json(refused.body()).get("error").get("message").asString()).contains("output tokens");
		assertThat(header(refused, "retry-after")).isEqualTo("10");
	}

	@Test
	void quotaExhaustedHasNoHintAndASpendLimitCode() throws Exception {
		start(false, Faults.none().quotaExhausted(true));
		HttpResponse<String> refused = hello();
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(header(refused, "retry-after")).isNull();
		JsonNode error = json(refused.body()).get("error");
		assertThat(error.get("type").asString()).isEqualTo("rate_limit_error");
		assertThat(error.get("details").get("error_code").asString()).isEqualTo("enforced_spend_limit_reached");
		assertThat(error.get("message").asString()).contains("2026-04-01");
	}

	@Test
	void serverErrorsAre500Or529() throws Exception {
		start(false, Faults.none().serverErrors(1));
		HttpResponse<String> failed = hello();
		assertThat(failed.statusCode()).isIn(500, 529);
		assertThat(json(failed.body()).get("error").get("type").asString()).isIn("api_error", "overloaded_error");
	}

}
