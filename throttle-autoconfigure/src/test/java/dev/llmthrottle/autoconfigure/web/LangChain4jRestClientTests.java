package dev.llmthrottle.autoconfigure.web;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.web.client.RestClient;

import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;
import dev.llmthrottle.autoconfigure.actuate.ThrottleStatistics;
import dev.llmthrottle.autoconfigure.actuate.ThrottleStatistics.ProviderActivity;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.stats.ProviderStats;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13: a LangChain4j 1.19.0 OpenAI {@code ChatModel} whose HTTP goes through a
 * {@code RestClient} built from the application's {@code RestClient.Builder} (what
 * LangChain4j's Spring Boot 4 starter does: its {@code SpringRestClient} is given
 * {@code ObjectProvider<RestClient.Builder>.getIfAvailable(RestClient::builder)}), so the
 * starter's interceptor applies with nothing else to configure: the call is admitted, a
 * 429 is waited out and retried under the interceptor, and the call settles to the usage
 * the provider reported.
 *
 * <p>
 * LangChain4j's own {@code langchain4j-http-client-spring-boot4-restclient} is not served
 * by the registry this build reaches, so the test plugs in {@link RestClientHttpClient},
 * the smallest {@code HttpClient} of LangChain4j's SPI over that {@code RestClient}
 * (non-streaming only): what is tested is the starter's interceptor under LangChain4j's
 * own requests and responses.
 */
class LangChain4jRestClientTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withConfiguration(AutoConfigurations.of(LlmThrottleExchangeAutoConfiguration.class,
				LlmThrottleRestClientAutoConfiguration.class, HttpClientAutoConfiguration.class,
				ImperativeHttpClientAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
				RestClientAutoConfiguration.class))
		.withUserConfiguration(StatisticsConfig.class);

	@Test
	void chatModelCallIsAdmittedAndSettledToTheProvidersUsage() {
		try (SimulatedProvider simulator = simulator()) {
			this.runner.withPropertyValues(properties(simulator)).run((context) -> {
				ChatResponse response = chatModel(context, simulator)
					.chat(dev.langchain4j.data.message.UserMessage.from("Say hello in five words."));
				assertThat(response.aiMessage().text()).isNotBlank();
				ProviderActivity activity = activity(context);
				assertThat(activity.admitted()).isOne();
				assertThat(activity.settled()).isOne();
				assertThat(activity.actualTokens()).containsEntry("input-tokens",
						(long) response.tokenUsage().inputTokenCount());
				assertThat(activity.actualTokens()).containsEntry("output-tokens",
						(long) response.tokenUsage().outputTokenCount());
				assertThat(simulator.stats().received()).isOne();
			});
		}
	}

	@Test
	void a429IsWaitedOutAndRetriedUnderTheInterceptor() {
		try (SimulatedProvider simulator = simulator()) {
			this.runner.withPropertyValues(properties(simulator)).run((context) -> {
				// an unseen neighbour spends the provider's quota around the throttler
				RestClient neighbour = RestClient.create(simulator.baseUrl());
				for (int i = 0; i < 2; i++) {
					neighbour.post()
						.uri("/v1/chat/completions")
						.header("Authorization", "Bearer sk-neighbour")
						.body(Map.of("model", "gpt-4o-mini", "max_tokens", 5, "messages",
								List.of(Map.of("role", "user", "content", "hi"))))
						.exchange((sent, answer) -> answer.getStatusCode().value());
				}
				ChatResponse response = chatModel(context, simulator)
					.chat(dev.langchain4j.data.message.UserMessage.from("Say hello in five words."));
				assertThat(response.aiMessage().text()).isNotBlank();
				ProviderStats stats = simulator.stats();
				assertThat(stats.tooManyRequests()).isGreaterThanOrEqualTo(1);
				ProviderActivity activity = activity(context);
				assertThat(activity.rateLimited()).isNotEmpty();
				assertThat(activity.retries()).isGreaterThanOrEqualTo(1);
				// the refused attempt settles to one request and no tokens, the retry
				// to the usage
				assertThat(activity.settled()).isEqualTo(activity.admitted()).isEqualTo(1 + stats.tooManyRequests());
				assertThat(activity.actualTokens()).containsEntry("input-tokens",
						(long) response.tokenUsage().inputTokenCount());
				assertThat(activity.actualTokens()).containsEntry("output-tokens",
						(long) response.tokenUsage().outputTokenCount());
			});
		}
	}

	/**
	 * Two requests per 6 s over a sliding window: long enough for the neighbour's two
	 * calls and the model's to fall in one window on a busy machine, short enough for the
	 * retry to come within seconds.
	 */
	private static SimulatedProvider simulator() {
		return SimulatedProvider.builder()
			.dialect(dev.llmthrottle.test.config.Dialect.OPENAI)
			.limit("requests", 2, Duration.ofSeconds(6))
			.latency(Duration.ofMillis(5))
			.seed(13)
			.start();
	}

	private static String[] properties(SimulatedProvider simulator) {
		return new String[] { "llm.throttle.providers.sim.dialect=openai",
				"llm.throttle.providers.sim.base-url=" + simulator.baseUrl(),
				"llm.throttle.providers.sim.limits[0].dimension=requests",
				"llm.throttle.providers.sim.limits[0].amount=2", "llm.throttle.providers.sim.limits[0].period=6s",
				"llm.throttle.providers.sim.max-wait=30s" };
	}

	/**
	 * The model as an application configures it; {@code maxRetries(0)}: a 429 never
	 * reaches it (the interceptor retries), and retries of its own after the interceptor
	 * gave up would only multiply the attempts.
	 */
	private static OpenAiChatModel chatModel(ApplicationContext context, SimulatedProvider simulator) {
		return OpenAiChatModel.builder()
			.baseUrl(simulator.baseUrl() + "/v1")
			.apiKey("sk-langchain4j")
			.modelName("gpt-4o-mini")
			.maxTokens(20)
			.maxRetries(0)
			.httpClientBuilder(new RestClientHttpClient.Builder(context.getBean(RestClient.Builder.class)))
			.build();
	}

	private static ProviderActivity activity(ApplicationContext context) {
		return context.getBean(ThrottleStatistics.class).activity("sim");
	}

	@Configuration(proxyBeanMethods = false)
	static class StatisticsConfig {

		@Bean
		ThrottleStatistics throttleStatistics() {
			return new ThrottleStatistics(Clock.systemUTC());
		}

	}

	/**
	 * LangChain4j's {@code HttpClient} SPI over a {@code RestClient} built from a given
	 * builder, for non-streaming calls: an error status becomes LangChain4j's
	 * {@code HttpException}, as its own clients do.
	 */
	static final class RestClientHttpClient implements HttpClient {

		private final RestClient client;

		RestClientHttpClient(RestClient client) {
			this.client = client;
		}

		@Override
		public SuccessfulHttpResponse execute(HttpRequest request) {
			return this.client.method(HttpMethod.valueOf(request.method().name()))
				.uri(request.url())
				.headers((headers) -> request.headers().forEach(headers::addAll))
				.body((request.body() != null) ? request.body() : "")
				.exchange((sent, response) -> {
					byte[] body = response.getBody().readAllBytes();
					int status = response.getStatusCode().value();
					if (status >= 400) {
						throw new HttpException(status, new String(body, java.nio.charset.StandardCharsets.UTF_8));
					}
					Map<String, List<String>> headers = new LinkedHashMap<>();
					response.getHeaders().forEach(headers::put);
					return SuccessfulHttpResponse.builder().statusCode(status).headers(headers).body(body).build();
				});
		}

		@Override
		public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
			throw new UnsupportedOperationException("streaming is not part of this test");
		}

		/** The builder LangChain4j's models take. */
		static final class Builder implements HttpClientBuilder {

			private final RestClient.Builder restClientBuilder;

			private Duration connectTimeout;

			private Duration readTimeout;

			Builder(RestClient.Builder restClientBuilder) {
				this.restClientBuilder = restClientBuilder;
			}

			@Override
			public Duration connectTimeout() {
				return this.connectTimeout;
			}

			@Override
			public Builder connectTimeout(Duration timeout) {
				this.connectTimeout = timeout;
				return this;
			}

			@Override
			public Duration readTimeout() {
				return this.readTimeout;
			}

			@Override
			public Builder readTimeout(Duration timeout) {
				this.readTimeout = timeout;
				return this;
			}

			@Override
			public HttpClient build() {
				return new RestClientHttpClient(this.restClientBuilder.build());
			}

		}

	}

}
