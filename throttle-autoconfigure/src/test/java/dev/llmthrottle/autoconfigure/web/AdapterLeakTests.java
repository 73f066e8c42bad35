package dev.llmthrottle.autoconfigure.web;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.exchange.RetryAfterTooLongException;
import dev.llmthrottle.exchange.RetryPolicy;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Failure paths of the HTTP adapters that left a permit held before the call pipeline
 * (issue 12): each test asserts what the caller sees, and the
 * {@link dev.llmthrottle.leaks.NoLeakedPermitsExtension no-leaked-permit check} fails it
 * if the permit is still held afterwards.
 */
class AdapterLeakTests {

	private static final String URL = "https://api.openai.test/v1/chat/completions";

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final ProviderThrottler throttler = new ProviderThrottler(
			new ThrottlePolicy("openai", List.of(Limit.perMinute(Dimension.REQUESTS, 6000)), 2, Duration.ofMinutes(1),
					100, Duration.ofSeconds(1), 10),
			this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE);

	private final LlmProviders providers = new LlmProviders(
			List.of(new LlmProvider("openai", Dialect.OPENAI, List.of(URI.create("https://api.openai.test/v1")),
					new RetryPolicy(1, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(60), null),
					100, this.throttler)));

	private final ResponseFeedback feedback = new ResponseFeedback(Clock.systemUTC(), new Random(1),
			ThrottleListener.NONE);

	private final CostEstimator costs = new CostEstimator(new JtokkitTokenCounter(), 1.2);

	private final LlmThrottleExchangeFilterFunction filter = new LlmThrottleExchangeFilterFunction(this.providers,
			this.feedback, this.costs, this.time);

	private static ClientRequest request() {
		return ClientRequest.create(HttpMethod.POST, URI.create(URL)).header("Authorization", "Bearer sk-test").build();
	}

	@Test
	void webClientDownstreamFilterError() {
		StepVerifier.create(this.filter.filter(request(), (request) -> Mono.error(new IllegalStateException("oauth"))))
			.expectErrorMessage("oauth")
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void webClientAbsurdRetryAfter() {
		ClientResponse tooMany = ClientResponse.create(HttpStatus.TOO_MANY_REQUESTS)
			.header("retry-after", "99999999999")
			.body("{}")
			.build();
		StepVerifier.create(this.filter.filter(request(), (request) -> Mono.just(tooMany)))
			.expectError(RetryAfterTooLongException.class)
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void restClientDownstreamInterceptorError() {
		RestClient client = RestClient.builder()
			.requestInterceptor(new LlmThrottleClientHttpRequestInterceptor(this.providers, this.feedback, this.costs,
					new CurrentAdmission(), this.time))
			.requestInterceptor((request, body, execution) -> {
				throw new IllegalStateException("load balancer");
			})
			.build();
		assertThatThrownBy(() -> client.post().uri(URL).body("{}").retrieve().toBodilessEntity())
			.hasStackTraceContaining("load balancer");
	}

}
