package dev.llmthrottle.annotation;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException;
import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;
import dev.llmthrottle.core.admission.LlmThrottlers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12: {@code @LlmThrottled(provider = "${...}")} is resolved at startup, so one
 * method serves whichever provider a property selects, including a provider defined only
 * in properties.
 */
class LlmThrottledPlaceholderTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withUserConfiguration(PlaceholderProvider.class)
		.withPropertyValues("llm.throttle.providers.openai.requests-per-minute=500",
				"llm.throttle.providers.anthropic.requests-per-minute=50");

	@Test
	void thePlaceholderSelectsTheProvider() {
		this.runner.withPropertyValues("app.llm.provider=anthropic").run((context) -> {
			assertThat(context).hasNotFailed();
			LlmThrottlers throttlers = context.getBean(LlmThrottlers.class);
			PlaceholderService service = context.getBean(PlaceholderService.class);
			service.watch(throttlers, "anthropic");
			assertThat(service.ask()).isEqualTo("anthropic=1 openai=0");
			assertThat(inFlight(throttlers, "anthropic")).isZero();
		});
	}

	@Test
	void aProviderDefinedOnlyInPropertiesWorks() {
		this.runner
			.withPropertyValues("app.llm.provider=local-llm", "llm.throttle.providers.local-llm.max-concurrent=2",
					"llm.throttle.providers.local-llm.unlimited=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				PlaceholderService service = context.getBean(PlaceholderService.class);
				service.watch(context.getBean(LlmThrottlers.class), "local-llm");
				assertThat(service.ask()).isEqualTo("local-llm=1 openai=0");
			});
	}

	@Test
	void aDefaultInThePlaceholderIsUsed() {
		this.runner.withUserConfiguration(DefaultedProvider.class)
			.withPropertyValues("app.llm.provider=anthropic")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DefaultedService service = context.getBean(DefaultedService.class);
				LlmThrottlers throttlers = context.getBean(LlmThrottlers.class);
				assertThat(service.ask(throttlers)).isEqualTo(1);
			});
	}

	@Test
	void anUnresolvablePlaceholderFailsStartupNamingTheMethod() {
		this.runner.run((context) -> {
			assertThat(context).hasFailed();
			InvalidThrottleConfigurationException ex = rootCause(context.getStartupFailure());
			assertThat(ex).hasMessageContaining("PlaceholderService.ask()")
				.hasMessageContaining("has provider '${app.llm.provider}'");
		});
	}

	@Test
	void aPlaceholderNamingNoProviderFailsStartup() {
		this.runner.withPropertyValues("app.llm.provider=nope").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()))
				.hasMessageContaining("names provider 'nope', which is not configured");
		});
	}

	private static int inFlight(LlmThrottlers throttlers, String provider) {
		return throttlers.get(provider).defaultPartition().snapshot().inFlight();
	}

	private static InvalidThrottleConfigurationException rootCause(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof InvalidThrottleConfigurationException invalid) {
				return invalid;
			}
		}
		throw new AssertionError("no InvalidThrottleConfigurationException in " + failure);
	}

	@Configuration(proxyBeanMethods = false)
	static class PlaceholderProvider {

		@Bean
		PlaceholderService placeholderService() {
			return new PlaceholderService();
		}

	}

	public static class PlaceholderService {

		private volatile LlmThrottlers throttlers;

		private volatile String watched;

		public void watch(LlmThrottlers throttlers, String provider) {
			this.throttlers = throttlers;
			this.watched = provider;
		}

		/**
		 * Reports the in-flight counts seen from inside the call: the permit is the
		 * selected provider's.
		 */
		@LlmThrottled(provider = "${app.llm.provider}")
		public String ask() {
			return this.watched + "=" + inFlight(this.throttlers, this.watched) + " openai="
					+ inFlight(this.throttlers, "openai");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DefaultedProvider {

		@Bean
		DefaultedService defaultedService() {
			return new DefaultedService();
		}

	}

	public static class DefaultedService {

		@LlmThrottled(provider = "${app.other.provider:openai}")
		public int ask(LlmThrottlers throttlers) {
			return inFlight(throttlers, "openai");
		}

	}

}
