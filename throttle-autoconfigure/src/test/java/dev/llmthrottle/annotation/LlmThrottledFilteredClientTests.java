package dev.llmthrottle.annotation;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.mock.http.client.MockClientHttpRequest;
import org.springframework.mock.http.client.MockClientHttpResponse;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;
import dev.llmthrottle.autoconfigure.web.LlmThrottleClientHttpRequestInterceptor;
import dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeAutoConfiguration;
import dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeFilterFunction;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProviderException;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

import static dev.llmthrottle.annotation.RetryingServices.assertNoPermitLeaked;
import static dev.llmthrottle.annotation.RetryingServices.partition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An annotated method calling the provider through the starter's own WebClient filter or
 * RestClient interceptor: the filter retries under the method's admission, and when it
 * gives up the method is not retried again (the provider sees {@code max-attempts}
 * requests, not their square); a never-retry error raised by the filter is not retried
 * either.
 */
class LlmThrottledFilteredClientTests {

	private static final String BASE_URL = "https://api.flaky.test/v1";

	private static final String RATE_LIMITED = "{\"error\":{\"message\":\"Rate limit reached for requests\","
			+ "\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withConfiguration(AutoConfigurations.of(LlmThrottleExchangeAutoConfiguration.class))
		.withUserConfiguration(Config.class)
		.withPropertyValues("llm.throttle.providers.flaky.dialect=openai",
				"llm.throttle.providers.flaky.base-url=" + BASE_URL,
				"llm.throttle.providers.flaky.requests-per-minute=1000", "llm.throttle.providers.flaky.burst=1m",
				"llm.throttle.providers.flaky.max-wait=1h", "llm.throttle.providers.flaky.retry.max-attempts=3");

	private static void advanceUntilDone(VirtualTimeSource time, CompletableFuture<?> result) {
		await().atMost(Duration.ofSeconds(5)).until(() -> {
			time.advance(Duration.ofMillis(10));
			return result.isDone();
		});
	}

	@Test
	void webClientFilterThatGaveUpIsNotRetriedAgain() {
		this.runner.run((context) -> {
			Provider provider = context.getBean(Provider.class).answer(429, RATE_LIMITED, "retry-after-ms", "1");
			ClientService service = context.getBean(ClientService.class);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			CompletableFuture<String> result = service.viaWebClient().toFuture();
			advanceUntilDone(time, result); // the filter's retries wait out the cooldown
											// on the engine's clock
			assertThat(result).failsWithin(Duration.ZERO)
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(WebClientResponseException.TooManyRequests.class);
			assertThat(provider.sent).hasValue(3);
			assertThat(service.invocations()).isOne();
			assertNoPermitLeaked(partition(context, "flaky"));
		});
	}

	@Test
	void restClientInterceptorThatGaveUpIsNotRetriedAgain() {
		this.runner.run((context) -> {
			Provider provider = context.getBean(Provider.class).answer(429, RATE_LIMITED, "retry-after-ms", "1");
			ClientService service = context.getBean(ClientService.class);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			CompletableFuture<String> result = CompletableFuture.supplyAsync(service::viaRestClient, (task) -> {
				Thread thread = new Thread(task, "throttled-caller");
				thread.setDaemon(true);
				thread.start();
			});
			advanceUntilDone(time, result); // the interceptor's pauses run on the
											// engine's clock
			assertThat(result).failsWithin(Duration.ZERO)
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(HttpClientErrorException.TooManyRequests.class);
			assertThat(provider.sent).hasValue(3);
			assertThat(service.invocations()).isOne();
			assertNoPermitLeaked(partition(context, "flaky"));
		});
	}

	@Test
	void neverRetryErrorFromTheFilterIsNotRetried() {
		this.runner.run((context) -> {
			Provider provider = context.getBean(Provider.class)
				.answer(401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}");
			ClientService service = context.getBean(ClientService.class);
			StepVerifier.create(service.viaWebClient())
				.expectError(LlmProviderException.class)
				.verify(Duration.ofSeconds(5));
			assertThat(provider.sent).hasValue(1);
			assertThat(service.invocations()).isOne();
			assertNoPermitLeaked(partition(context, "flaky"));
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		VirtualTimeSource virtualTime() {
			return new VirtualTimeSource();
		}

		@Bean
		Provider provider() {
			return new Provider();
		}

		@Bean
		ClientService clientService(Provider provider, LlmProviders providers, ResponseFeedback feedback,
				CostEstimator costs, CurrentAdmission currentAdmission, VirtualTimeSource time) {
			WebClient webClient = WebClient.builder()
				.filter(new LlmThrottleExchangeFilterFunction(providers, feedback, costs, time))
				.exchangeFunction(provider)
				.build();
			RestClient restClient = RestClient.builder()
				.requestInterceptor(
						new LlmThrottleClientHttpRequestInterceptor(providers, feedback, costs, currentAdmission, time))
				.requestFactory(provider)
				.build();
			return new ClientService(webClient, restClient);
		}

	}

	/**
	 * A provider that answers every request the same way, for WebClient and RestClient
	 * alike.
	 */
	static class Provider implements ExchangeFunction, ClientHttpRequestFactory {

		final AtomicInteger sent = new AtomicInteger();

		private volatile int status;

		private volatile String body;

		private volatile String[] headers;

		Provider answer(int status, String body, String... headers) {
			this.status = status;
			this.body = body;
			this.headers = headers;
			return this;
		}

		@Override
		public Mono<ClientResponse> exchange(org.springframework.web.reactive.function.client.ClientRequest request) {
			return Mono.fromSupplier(() -> {
				this.sent.incrementAndGet();
				ClientResponse.Builder response = ClientResponse.create(HttpStatus.valueOf(this.status))
					.header("Content-Type", "application/json")
					.body(this.body);
				for (int i = 0; i < this.headers.length; i += 2) {
					response.header(this.headers[i], this.headers[i + 1]);
				}
				return response.build();
			});
		}

		@Override
		public ClientHttpRequest createRequest(URI uri, HttpMethod method) throws IOException {
			this.sent.incrementAndGet();
			MockClientHttpResponse response = new MockClientHttpResponse(this.body.getBytes(StandardCharsets.UTF_8),
					HttpStatus.valueOf(this.status));
			response.getHeaders().add("Content-Type", "application/json");
			for (int i = 0; i < this.headers.length; i += 2) {
				response.getHeaders().add(this.headers[i], this.headers[i + 1]);
			}
			MockClientHttpRequest request = new MockClientHttpRequest(method, uri);
			request.setResponse(response);
			return request;
		}

	}

	/** Annotated methods that call the provider through the filtered clients. */
	public static class ClientService {

		final AtomicInteger invocations = new AtomicInteger();

		private final WebClient webClient;

		private final RestClient restClient;

		public ClientService(WebClient webClient, RestClient restClient) {
			this.webClient = webClient;
			this.restClient = restClient;
		}

		/**
		 * How many times an annotated method ran (a method: fields of the proxy are not
		 * the target's).
		 */
		public int invocations() {
			return this.invocations.get();
		}

		@LlmThrottled(provider = "flaky")
		public Mono<String> viaWebClient() {
			this.invocations.incrementAndGet();
			return this.webClient.post().uri(BASE_URL + "/chat/completions").retrieve().bodyToMono(String.class);
		}

		@LlmThrottled(provider = "flaky")
		public String viaRestClient() {
			this.invocations.incrementAndGet();
			return this.restClient.post().uri(BASE_URL + "/chat/completions").retrieve().body(String.class);
		}

	}

}
