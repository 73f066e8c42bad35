package dev.llmthrottle.autoconfigure;

import java.net.URI;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

import dev.llmthrottle.autoconfigure.okhttp.LlmThrottleOkHttpAutoConfiguration;
import dev.llmthrottle.autoconfigure.okhttp.LlmThrottleOkHttpInterceptor;
import dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeAutoConfiguration;
import dev.llmthrottle.autoconfigure.web.LlmThrottleRestClientAutoConfiguration;
import dev.llmthrottle.autoconfigure.web.LlmThrottleWebClientAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The startup report of which clients each provider covers, from the
 * {@link ThrottledClient} beans the adapters' auto-configurations contribute.
 */
class ThrottledClientReportTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withConfiguration(AutoConfigurations.of(LlmThrottleExchangeAutoConfiguration.class,
				LlmThrottleWebClientAutoConfiguration.class, LlmThrottleRestClientAutoConfiguration.class,
				LlmThrottleOkHttpAutoConfiguration.class, ThrottledClientReportAutoConfiguration.class))
		.withPropertyValues("llm.throttle.providers.openai.base-url=https://api.openai.com/v1",
				"llm.throttle.providers.openai.requests-per-minute=500");

	@Test
	void eachProviderListsTheGeneralClientsWhoseAdaptersAreInstalled() {
		this.runner
			.run((context) -> assertThat(context.getBean(ThrottledClientReport.class).coverage()).containsExactly(
					"llm-throttle provider 'openai' (https://api.openai.com/v1) covers: RestClient, WebClient"));
	}

	@Test
	void withoutWebFluxTheWebClientIsNotListed() {
		this.runner.withClassLoader(new FilteredClassLoader(WebClient.class))
			.run((context) -> assertThat(context.getBean(ThrottledClientReport.class).coverage())
				.containsExactly("llm-throttle provider 'openai' (https://api.openai.com/v1) covers: RestClient"));
	}

	@Test
	void aClientBoundToAnUncoveredBaseUrlIsWarnedAbout() {
		this.runner.withUserConfiguration(SdkClients.class).run((context) -> {
			ThrottledClientReport report = context.getBean(ThrottledClientReport.class);
			assertThat(report.coverage()).containsExactly(
					"llm-throttle provider 'openai' (https://api.openai.com/v1) covers: RestClient, WebClient, Some SDK");
			assertThat(report.uncovered()).containsExactly("Other SDK sends to https://api.anthropic.com, which no "
					+ "llm.throttle.providers.<name>.base-url covers: its calls are not throttled");
		});
	}

	@Test
	void aProviderNoClientReachesSaysSo() {
		this.runner
			.withClassLoader(new FilteredClassLoader(WebClient.class, org.springframework.web.client.RestClient.class))
			.run((context) -> assertThat(context.getBean(ThrottledClientReport.class).coverage()).containsExactly(
					"llm-throttle provider 'openai' (https://api.openai.com/v1) covers no HTTP client: only @LlmThrottled "
							+ "methods and the programmatic API are throttled"));
	}

	@Test
	void aProviderWithoutABaseUrlSaysNoClientReachesIt() {
		this.runner.withPropertyValues("llm.throttle.providers.tenant.requests-per-minute=60")
			.run((context) -> assertThat(context.getBean(ThrottledClientReport.class).coverage()).contains(
					"llm-throttle provider 'tenant' has no base-url, so no HTTP client reaches it: only @LlmThrottled "
							+ "methods and the programmatic API are throttled"));
	}

	@Test
	void theOkHttpInterceptorIsABeanWhenOkHttpIsPresentAndBacksOffWithoutIt() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(LlmThrottleOkHttpInterceptor.class));
		this.runner.withClassLoader(new FilteredClassLoader(okhttp3.Interceptor.class))
			.run((context) -> assertThat(context).doesNotHaveBean(LlmThrottleOkHttpInterceptor.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class SdkClients {

		@Bean
		ThrottledClient someSdk() {
			return ThrottledClient.at("Some SDK", URI.create("https://api.openai.com/v1"));
		}

		@Bean
		ThrottledClient otherSdk() {
			return ThrottledClient.at("Other SDK", URI.create("https://api.anthropic.com"));
		}

	}

}
