package dev.llmthrottle.autoconfigure.sdk;

import java.time.Duration;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.AnthropicClientAsync;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClientAsync;
import com.openai.client.OpenAIClient;
import com.openai.client.OpenAIClientAsync;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.client.okhttp.OpenAIOkHttpClientAsync;
import com.openai.models.chat.completions.ChatCompletion;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.annotation.LlmThrottled;
import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;
import dev.llmthrottle.autoconfigure.ThrottledClientReport;
import dev.llmthrottle.autoconfigure.ThrottledClientReportAutoConfiguration;
import dev.llmthrottle.autoconfigure.sdk.anthropic.AnthropicSdkThrottle;
import dev.llmthrottle.autoconfigure.sdk.openai.OpenAiSdkThrottle;
import dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeAutoConfiguration;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.stats.ProviderStats;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SDK adapter's auto-configuration: client beans of both SDKs wrapped when a provider
 * covers their base URL (their retries off), left alone otherwise, nothing without the
 * SDKs, one SDK alone; and an {@code @LlmThrottled} method calling a wrapped client,
 * admitted once and settled from the usage of the SDK's response.
 */
class LlmThrottleSdkAutoConfigurationTests {

	private static final String COVERED = "http://127.0.0.1:9";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withConfiguration(AutoConfigurations.of(LlmThrottleExchangeAutoConfiguration.class,
				LlmThrottleSdkAutoConfiguration.class))
		.withPropertyValues("llm.throttle.providers.openai.base-url=" + COVERED + "/v1",
				"llm.throttle.providers.openai.dialect=openai", "llm.throttle.providers.openai.requests-per-minute=600",
				"llm.throttle.providers.anthropic.base-url=" + COVERED,
				"llm.throttle.providers.anthropic.dialect=anthropic",
				"llm.throttle.providers.anthropic.requests-per-minute=600");

	@Test
	void wrapsEveryClientBeanAProviderCoversAndTurnsItsRetriesOff() {
		this.runner.withUserConfiguration(Clients.class).run((context) -> {
			assertThat(context).hasNotFailed();
			SdkThrottle sdk = context.getBean(SdkThrottle.class);
			for (String name : new String[] { "openAi", "openAiAsync", "anthropic", "anthropicAsync" }) {
				Object client = context.getBean(name);
				assertThat(sdk.isThrottled(client)).as(name).isTrue();
				assertThat(new SdkClients(getClass().getClassLoader()).maxRetries(client)).as(name).hasValue(0);
			}
			Object elsewhere = context.getBean("elsewhere");
			assertThat(sdk.isThrottled(elsewhere)).isFalse();
			assertThat(new SdkClients(getClass().getClassLoader()).maxRetries(elsewhere)).hasValue(2);
		});
	}

	@Test
	void theStartupReportListsEachClientBeanUnderItsProviderAndWarnsAboutOneNoProviderCovers() {
		this.runner.withConfiguration(AutoConfigurations.of(ThrottledClientReportAutoConfiguration.class))
			.withUserConfiguration(Clients.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ThrottledClientReport report = context.getBean(ThrottledClientReport.class);
				assertThat(report.coverage()).anySatisfy((line) -> assertThat(line)
					.startsWith("llm-throttle provider 'openai' (" + COVERED + "/v1) covers: ")
					.contains("OpenAI SDK bean 'openAi'", "OpenAI SDK bean 'openAiAsync'")
					.doesNotContain("'elsewhere'"));
				assertThat(report.coverage()).anySatisfy((line) -> assertThat(line)
					.startsWith("llm-throttle provider 'anthropic' (" + COVERED + ") covers: ")
					.contains("Anthropic SDK bean 'anthropic'", "Anthropic SDK bean 'anthropicAsync'")
					.as("a client under /v1 belongs to the /v1 provider only, as the adapters pick it")
					.doesNotContain("OpenAI SDK"));
				assertThat(report.uncovered()).containsExactly("OpenAI SDK bean 'elsewhere' sends to "
						+ "http://localhost:9/elsewhere, which no llm.throttle.providers.<name>.base-url covers: "
						+ "its calls are not throttled");
				assertThat(String.join("\n", report.coverage())).as("keys never").doesNotContain("sk-");
			});
	}

	@Test
	void theStartupReportNamesNoSdkClientWhenThereIsNone() {
		this.runner.withConfiguration(AutoConfigurations.of(ThrottledClientReportAutoConfiguration.class))
			.run((context) -> {
				ThrottledClientReport report = context.getBean(ThrottledClientReport.class);
				assertThat(report.coverage()).allSatisfy((line) -> assertThat(line).contains("covers no HTTP client"));
				assertThat(report.uncovered()).isEmpty();
			});
	}

	@Test
	void nothingWithoutTheSdks() {
		this.runner.withClassLoader(new FilteredClassLoader("com.openai.", "com.anthropic."))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(SdkThrottle.class)
				.doesNotHaveBean(OpenAiSdkThrottle.class)
				.doesNotHaveBean(AnthropicSdkThrottle.class));
	}

	@Test
	void oneSdkAlone() {
		this.runner.withClassLoader(new FilteredClassLoader("com.anthropic."))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(SdkThrottle.class)
				.hasSingleBean(OpenAiSdkThrottle.class)
				.doesNotHaveBean(AnthropicSdkThrottle.class));
	}

	@Test
	void anAnnotatedMethodCallingAWrappedClientIsAdmittedOnceAndSettledFromTheUsage() {
		try (SimulatedProvider simulator = SimulatedProvider.builder()
			.dialect(Dialect.OPENAI)
			.model(EnforcementModel.SLIDING_WINDOW)
			.limit("requests", 600, Duration.ofMinutes(1))
			.limit("tokens", 1_000_000, Duration.ofMinutes(1))
			.latency(Duration.ofMillis(5))
			.seed(31)
			.start()) {
			new ApplicationContextRunner().withConfiguration(ThrottleAutoConfigurations.all())
				.withConfiguration(AutoConfigurations.of(LlmThrottleExchangeAutoConfiguration.class,
						LlmThrottleSdkAutoConfiguration.class))
				.withPropertyValues("llm.throttle.providers.sim.base-url=" + simulator.baseUrl(),
						"llm.throttle.providers.sim.dialect=openai",
						"llm.throttle.providers.sim.requests-per-minute=600",
						"llm.throttle.providers.sim.tokens-per-minute=1000000", "simulator.url=" + simulator.baseUrl())
				.withUserConfiguration(AnnotatedCaller.class)
				.run((context) -> {
					assertThat(context).hasNotFailed();
					ChatService service = context.getBean(ChatService.class);
					for (int i = 0; i < 4; i++) {
						assertThat(service.ask().usage()).isPresent();
					}
					Partition partition = context.getBean(LlmThrottlers.class).get("sim").partition(SdkFixture.KEY);
					Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partition.snapshot().inFlight() == 0);
					PartitionSnapshot snapshot = partition.snapshot();
					ProviderStats stats = simulator.stats();
					assertThat(stats.admitted()).isEqualTo(4);
					assertThat(snapshot.limits().get(0).used()).as("each call admitted once").isEqualTo(4);
					assertThat(snapshot.limits().get(1).used()).as("settled from the SDK response's usage")
						.isEqualTo(stats.admittedByDimension().get("tokens"));
					assertThat(snapshot.repeatedReleases()).isZero();
				});
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Clients {

		@Bean
		OpenAIClient openAi() {
			return OpenAIOkHttpClient.builder().baseUrl(COVERED + "/v1").apiKey("sk-a").build();
		}

		@Bean
		OpenAIClientAsync openAiAsync() {
			return OpenAIOkHttpClientAsync.builder().baseUrl(COVERED + "/v1").apiKey("sk-a").build();
		}

		@Bean
		AnthropicClient anthropic() {
			return AnthropicOkHttpClient.builder().baseUrl(COVERED).apiKey("sk-b").build();
		}

		@Bean
		AnthropicClientAsync anthropicAsync() {
			return AnthropicOkHttpClientAsync.builder().baseUrl(COVERED).apiKey("sk-b").build();
		}

		@Bean
		OpenAIClient elsewhere() {
			return OpenAIOkHttpClient.builder().baseUrl("http://localhost:9/elsewhere").apiKey("sk-c").build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AnnotatedCaller {

		@Bean
		OpenAIClient simClient(org.springframework.core.env.Environment environment) {
			return OpenAIOkHttpClient.builder()
				.baseUrl(environment.getProperty("simulator.url") + "/v1")
				.apiKey(SdkFixture.KEY)
				.build();
		}

		@Bean
		ChatService chatService(@Qualifier("simClient") OpenAIClient client) {
			return new ChatService(client);
		}

	}

	/** Calls the SDK inside annotated methods of the same partition (the same key). */
	public static class ChatService {

		private final OpenAIClient client;

		public ChatService(OpenAIClient client) {
			this.client = client;
		}

		@LlmThrottled(provider = "sim", key = "'" + SdkFixture.KEY + "'")
		public ChatCompletion ask() {
			return this.client.chat().completions().create(SdkFixture.chat(false));
		}

	}

}
