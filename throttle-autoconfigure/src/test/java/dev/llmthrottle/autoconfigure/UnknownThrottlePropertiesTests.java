package dev.llmthrottle.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12: a misspelt key under {@code llm.throttle} fails startup with the key and the
 * nearest valid one, instead of being ignored and leaving the provider with fewer limits
 * than the user wrote.
 */
class UnknownThrottlePropertiesTests {

	private static final String SIM = "llm.throttle.providers.openai-sim.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withPropertyValues(SIM + "base-url=http://localhost:8089", SIM + "requests-per-minute=60");

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"llm.throttle.providers.openai-sim.requests-per-minut=5|llm.throttle.providers.openai-sim.requests-per-minut"
					+ "|llm.throttle.providers.openai-sim.requests-per-minute",
			"llm.throttle.enforcment=true|llm.throttle.enforcment|llm.throttle.enabled",
			"llm.throttle.providers.openai-sim.retry.max-atempts=3|llm.throttle.providers.openai-sim.retry.max-atempts"
					+ "|llm.throttle.providers.openai-sim.retry.max-attempts",
			"llm.throttle.defaults.max-concurent=4|llm.throttle.defaults.max-concurent"
					+ "|llm.throttle.defaults.max-concurrent",
			"llm.throttle.redis.key-prefx=x|llm.throttle.redis.key-prefx|llm.throttle.redis.key-prefix" })
	void anUnknownKeyFailsStartupWithTheNearestValidOne(String property, String key, String nearest) {
		this.runner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidThrottleConfigurationException.class)
				.hasMessageContaining(key + " is not a known property; did you mean " + nearest + "?");
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains(key).contains(nearest);
			assertThat(analysis.getAction()).contains("misspelt");
		});
	}

	@Test
	void aTypoBesideValidKeysOfAListElementFailsWithTheNearestValidKey() {
		this.runner
			.withPropertyValues(SIM + "limits[0].dimension=requests", SIM + "limits[0].ammount=5",
					SIM + "limits[0].period=1s")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidThrottleConfigurationException.class)
					.hasMessageContaining(SIM + "limits[0].ammount is not a known property; did you mean " + SIM
							+ "limits[0].amount?");
			});
	}

	/**
	 * A list element with nothing but a typo is refused by Spring Boot's binder before
	 * any validation of ours; the analysis still names the nearest valid key.
	 */
	@Test
	void aListElementWithOnlyATypoIsExplainedWithTheNearestValidKey() {
		this.runner.withPropertyValues(SIM + "limits[0].ammount=5").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription())
				.contains(SIM + "limits[0].ammount is not a known property; did you mean " + SIM + "limits[0].amount?");
		});
	}

	@Test
	void everyValidKeyIsAccepted() {
		this.runner
			.withPropertyValues("llm.throttle.enabled=true", "llm.throttle.partition-key-secret=0123456789abcdef0123",
					"llm.throttle.defaults.max-wait=5s", "llm.throttle.defaults.retry.max-attempts=2",
					SIM + "base-url[0]=http://localhost:8089", SIM + "tokens-per-minute=100000",
					SIM + "input-tokens-per-minute=50000", SIM + "limits[0].dimension=requests",
					SIM + "limits[0].amount=10", SIM + "limits[0].period=1s", SIM + "retry.max-retry-after=2m",
					SIM + "maxConcurrent=4", "llm.throttle.redis.threads=2", "llm.throttle.redis.key-prefix=x")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void everyTypoIsListedWithTheOtherProblems() {
		this.runner
			.withPropertyValues(SIM + "requests-per-minut=5", "llm.throttle.enforcment=true", SIM + "max-concurrent=0")
			.run((context) -> {
				assertThat(context).hasFailed();
				InvalidThrottleConfigurationException ex = (InvalidThrottleConfigurationException) rootCause(
						context.getStartupFailure());
				assertThat(ex.problems()).extracting(InvalidThrottleConfigurationException.Problem::origin)
					.containsExactly("llm.throttle.enforcment", SIM + "requests-per-minut", SIM + "max-concurrent");
			});
	}

	@Test
	void redisThreadsBelowOneFailThroughTheSameValidation() {
		this.runner.withPropertyValues("llm.throttle.redis.threads=0").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidThrottleConfigurationException.class)
				.hasMessageContaining("llm.throttle.redis.threads must be at least 1 but was 0");
			assertThat(StartupFailures.analyze(context.getStartupFailure()).getDescription())
				.contains("llm.throttle.redis.threads must be at least 1 but was 0");
		});
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

}
