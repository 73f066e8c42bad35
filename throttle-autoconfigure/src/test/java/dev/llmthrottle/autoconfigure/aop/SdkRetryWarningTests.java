package dev.llmthrottle.autoconfigure.aop;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.annotation.LlmThrottled;
import dev.llmthrottle.autoconfigure.JdkLoggingBridge;
import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;
import dev.llmthrottle.autoconfigure.sdk.LlmThrottleSdkAutoConfiguration;
import dev.llmthrottle.autoconfigure.sdk.SdkThrottle;
import dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The startup warning about SDK retries multiplying the advisor's: one per provider that
 * annotated methods use with retries, when the context holds a client bean of an SDK
 * speaking that provider's dialect (real openai-java clients) that llm-throttle does not
 * wrap and whose own retries are on. Never for a wrapped client, never for
 * {@code maxRetries(0)}.
 */
@ExtendWith({ JdkLoggingBridge.class, OutputCaptureExtension.class })
class SdkRetryWarningTests {

	private static final String WARNING = "is used by @LlmThrottled methods, which retry failed calls";

	/** The base URL of the provider 'openai'. */
	private static final String COVERED = "http://127.0.0.1:9/v1";

	/** A base URL no provider covers: such a client is not wrapped. */
	private static final String UNCOVERED = "http://127.0.0.1:9/elsewhere";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withConfiguration(AutoConfigurations.of(LlmThrottleExchangeAutoConfiguration.class,
				LlmThrottleSdkAutoConfiguration.class))
		.withUserConfiguration(ServiceConfig.class)
		.withPropertyValues("llm.throttle.providers.openai.dialect=openai",
				"llm.throttle.providers.openai.requests-per-minute=100",
				"llm.throttle.providers.openai.base-url=" + COVERED, "llm.throttle.providers.single.dialect=openai",
				"llm.throttle.providers.single.requests-per-minute=100",
				"llm.throttle.providers.single.retry.max-attempts=1",
				"llm.throttle.providers.anthropic.dialect=anthropic",
				"llm.throttle.providers.anthropic.requests-per-minute=100",
				"llm.throttle.providers.unused.dialect=openai",
				"llm.throttle.providers.unused.requests-per-minute=100");

	@Test
	void warnsOncePerRetryingProviderTheSdkSpeaksTo(CapturedOutput output) {
		this.runner.withUserConfiguration(OpenAiClientConfig.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).containsOnlyOnce("Provider 'openai' " + WARNING)
				.contains("openai-java [openAIClient]")
				.contains("set the SDK's maxRetries(0)")
				.doesNotContain("Provider 'single' " + WARNING)
				.doesNotContain("Provider 'anthropic' " + WARNING)
				.doesNotContain("Provider 'unused' " + WARNING);
		});
	}

	@Test
	void neverForAClientWithoutRetries(CapturedOutput output) {
		this.runner.withUserConfiguration(NoRetriesClientConfig.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(SdkThrottle.class).isThrottled(context.getBean(OpenAIClient.class))).isFalse();
			assertThat(output).doesNotContain(WARNING);
		});
	}

	@Test
	void neverForAClientLlmThrottleWraps(CapturedOutput output) {
		this.runner.withUserConfiguration(CoveredClientConfig.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(SdkThrottle.class).isThrottled(context.getBean(OpenAIClient.class))).isTrue();
			assertThat(output).doesNotContain(WARNING);
		});
	}

	@Test
	void namesOnlyTheUnwrappedClientWithRetries(CapturedOutput output) {
		this.runner
			.withUserConfiguration(OpenAiClientConfig.class, NoRetriesClientConfig.class, CoveredClientConfig.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).containsOnlyOnce("Provider 'openai' " + WARNING)
					.contains("openai-java [openAIClient]");
			});
	}

	@Test
	void staysQuietWithoutAnSdkClientBean(CapturedOutput output) {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).doesNotContain(WARNING);
		});
	}

	@Test
	void staysQuietWhenNothingIsRetried(CapturedOutput output) {
		this.runner.withUserConfiguration(OpenAiClientConfig.class)
			.withPropertyValues("llm.throttle.providers.openai.retry.max-attempts=1")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).doesNotContain(WARNING);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class ServiceConfig {

		@Bean
		ChatService chatService() {
			return new ChatService();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OpenAiClientConfig {

		@Bean
		OpenAIClient openAIClient() {
			return OpenAIOkHttpClient.builder().baseUrl(UNCOVERED).apiKey("sk-test").build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NoRetriesClientConfig {

		@Bean
		OpenAIClient quietClient() {
			return OpenAIOkHttpClient.builder().baseUrl(UNCOVERED).apiKey("sk-test").maxRetries(0).build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CoveredClientConfig {

		@Bean
		OpenAIClient coveredClient() {
			return OpenAIOkHttpClient.builder().baseUrl(COVERED).apiKey("sk-test").build();
		}

	}

	/** Annotated methods naming the providers (never called). */
	public static class ChatService {

		@LlmThrottled(provider = "openai")
		public String openai() {
			return "openai";
		}

		@LlmThrottled(provider = "openai")
		public String openaiAgain() {
			return "openai";
		}

		@LlmThrottled(provider = "single")
		public String single() {
			return "single";
		}

		@LlmThrottled(provider = "anthropic")
		public String anthropic() {
			return "anthropic";
		}

	}

}
