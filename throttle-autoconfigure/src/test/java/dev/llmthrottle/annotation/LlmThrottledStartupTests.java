package dev.llmthrottle.annotation;

import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException;
import dev.llmthrottle.autoconfigure.StartupFailures;
import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mistake in an {@code @LlmThrottled} annotation fails startup, naming the bean and
 * method, rather than the first call.
 */
class LlmThrottledStartupTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withPropertyValues("llm.throttle.providers.openai.requests-per-minute=500");

	@Test
	void unknownProviderFailsStartupNamingTheMethodAndTheKnownProviders() {
		this.runner.withUserConfiguration(UnknownProvider.class).run((context) -> {
			assertThat(context).hasFailed();
			InvalidThrottleConfigurationException ex = rootCause(context.getStartupFailure());
			assertThat(ex).hasMessageContaining("UnknownProviderService.ask(String)")
				.hasMessageContaining("bean 'unknownProviderService'")
				.hasMessageContaining("names provider 'nope', which is not configured")
				.hasMessageContaining("known providers: [openai]");
			assertThat(StartupFailures.analyze(context.getStartupFailure()).getDescription())
				.contains("names provider 'nope'");
		});
	}

	@Test
	void typeReferenceIsRefusedAtStartup() {
		this.runner.withUserConfiguration(TypeReference.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()))
				.hasMessageContaining("has tokens expression 'T(java.lang.Runtime).getRuntime().availableProcessors()'")
				.hasMessageContaining("may not use type references such as T(java.lang.Runtime)");
		});
	}

	@Test
	void constructorIsRefusedAtStartup() {
		this.runner.withUserConfiguration(Constructor.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure())).hasMessageContaining("may not call constructors");
		});
	}

	@Test
	void beanReferenceIsRefusedAtStartup() {
		this.runner.withUserConfiguration(BeanReference.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure())).hasMessageContaining("may not refer to beans");
		});
	}

	@Test
	void unknownVariableIsRefusedAtStartup() {
		this.runner.withUserConfiguration(Typo.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()))
				.hasMessageContaining("has key expression '#tenantt' that refers to #tenantt, which is not a parameter")
				.hasMessageContaining("#tenant, #p0, #a0");
		});
	}

	@Test
	void unparsableExpressionIsRefusedAtStartup() {
		this.runner.withUserConfiguration(Unparsable.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure())).hasMessageContaining("cannot be parsed");
		});
	}

	@Test
	void plainFutureIsRefusedAtStartup() {
		this.runner.withUserConfiguration(PlainFuture.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCause(context.getStartupFailure()))
				.hasMessageContaining("returns java.util.concurrent.Future, which cannot be throttled");
		});
	}

	@Test
	void everyProblemOfABeanIsListed() {
		this.runner.withUserConfiguration(TwoProblems.class).run((context) -> {
			assertThat(rootCause(context.getStartupFailure()).problems()).hasSize(2);
		});
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
	static class UnknownProvider {

		@Bean
		UnknownProviderService unknownProviderService() {
			return new UnknownProviderService();
		}

	}

	public static class UnknownProviderService {

		@LlmThrottled(provider = "nope")
		public String ask(String prompt) {
			return prompt;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TypeReference {

		@Bean
		Object typeReferenceService() {
			return new Object() {

				@LlmThrottled(provider = "openai", tokens = "T(java.lang.Runtime).getRuntime().availableProcessors()")
				public String ask(String prompt) {
					return prompt;
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Constructor {

		@Bean
		ConstructorService constructorService() {
			return new ConstructorService();
		}

	}

	public static class ConstructorService {

		@LlmThrottled(provider = "openai", key = "new java.lang.ProcessBuilder('true').start()")
		public String ask(String prompt) {
			return prompt;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BeanReference {

		@Bean
		BeanReferenceService beanReferenceService() {
			return new BeanReferenceService();
		}

	}

	public static class BeanReferenceService {

		@LlmThrottled(provider = "openai", key = "@environment.getProperty('secret')")
		public String ask(String prompt) {
			return prompt;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Typo {

		@Bean
		TypoService typoService() {
			return new TypoService();
		}

	}

	public static class TypoService {

		@LlmThrottled(provider = "openai", key = "#tenantt")
		public String ask(String tenant) {
			return tenant;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Unparsable {

		@Bean
		UnparsableService unparsableService() {
			return new UnparsableService();
		}

	}

	public static class UnparsableService {

		@LlmThrottled(provider = "openai", tokens = "#prompt.length(")
		public String ask(String prompt) {
			return prompt;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlainFuture {

		@Bean
		PlainFutureService plainFutureService() {
			return new PlainFutureService();
		}

	}

	public static class PlainFutureService {

		@LlmThrottled(provider = "openai")
		public Future<String> ask(String prompt) {
			return null;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoProblems {

		@Bean
		TwoProblemsService twoProblemsService() {
			return new TwoProblemsService();
		}

	}

	public static class TwoProblemsService {

		@LlmThrottled(provider = "nope")
		public String ask(String prompt) {
			return prompt;
		}

		@LlmThrottled(provider = "openai", tokens = "T(System).nanoTime()")
		public String tell(String prompt) {
			return prompt;
		}

	}

}
