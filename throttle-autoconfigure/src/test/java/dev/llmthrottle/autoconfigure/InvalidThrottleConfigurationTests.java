package dev.llmthrottle.autoconfigure;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Each invalid configuration fails startup with a message naming the full property path
 * and the reason, never a silent missing limit.
 */
class InvalidThrottleConfigurationTests {

	private static final String OPENAI = "llm.throttle.providers.openai.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all());

	static Stream<Arguments> invalidConfigurations() {
		return Stream.of(
				arguments(new String[] { OPENAI + "requests-per-minute=0" },
						"llm.throttle.providers.openai.requests-per-minute must be at least 1 but was 0"),
				arguments(new String[] { OPENAI + "tokens-per-day=-5" },
						"llm.throttle.providers.openai.tokens-per-day must be at least 1 but was -5"),
				arguments(limit("requests", "5", "0s"),
						"llm.throttle.providers.openai.limits[0].period must be positive but was 0s"),
				arguments(limit("requests", "5", "-10s"),
						"llm.throttle.providers.openai.limits[0].period must be positive but was -10s"),
				arguments(limit("requests", "5", "400d"),
						"llm.throttle.providers.openai.limits[0].period must be at most 366d but was 400d"),
				arguments(limit("requests", "0", "1s"),
						"llm.throttle.providers.openai.limits[0].amount must be at least 1 but was 0"),
				arguments(new String[] { OPENAI + "limits[0].amount=5", OPENAI + "limits[0].period=1s" },
						"llm.throttle.providers.openai.limits[0].dimension must be set"),
				arguments(limit("tokenz", "5", "1s"),
						"llm.throttle.providers.openai.limits[0].dimension must be one of requests, tokens, "
								+ "input-tokens or output-tokens but was 'tokenz'"),
				arguments(new String[] { OPENAI + "limits[0].dimension=tokens", OPENAI + "limits[0].amount=5" },
						"llm.throttle.providers.openai.limits[0].period must be set"),
				arguments(new String[] { OPENAI + "max-concurrent=0" },
						"llm.throttle.providers.openai.max-concurrent must be at least 1 but was 0"),
				arguments(rpm(OPENAI + "max-wait=-1s"),
						"llm.throttle.providers.openai.max-wait must not be negative but was -1s"),
				arguments(rpm(OPENAI + "max-queue=-1"),
						"llm.throttle.providers.openai.max-queue must be at least 0 but was -1"),
				arguments(rpm(OPENAI + "burst=-2s"),
						"llm.throttle.providers.openai.burst must not be negative but was -2s"),
				arguments(rpm(OPENAI + "enforcement=leaky"),
						"llm.throttle.providers.openai.enforcement must be one of paced, sliding-window, token-bucket "
								+ "or fixed-window but was 'leaky'"),
				arguments(
						rpm(OPENAI + "limits[0].dimension=requests", OPENAI + "limits[0].amount=7",
								OPENAI + "limits[0].period=10s", OPENAI + "limits[0].enforcement=sliding"),
						"llm.throttle.providers.openai.limits[0].enforcement must be one of paced, sliding-window, "
								+ "token-bucket or fixed-window but was 'sliding'"),
				arguments(
						rpm(OPENAI + "limits[0].dimension=requests", OPENAI + "limits[0].amount=7",
								OPENAI + "limits[0].period=10s", OPENAI + "limits[0].burst=-1s"),
						"llm.throttle.providers.openai.limits[0].burst must not be negative but was -1s"),
				arguments(
						rpm(OPENAI + "limits[0].dimension=requests", OPENAI + "limits[0].amount=7",
								OPENAI + "limits[0].period=10s", OPENAI + "limits[0].enforcement=token-bucket",
								OPENAI + "limits[0].burst=2s"),
						"llm.throttle.providers.openai.limits[0].burst applies only to a paced limit, but this "
								+ "limit's enforcement is token-bucket"),
				arguments(rpm(OPENAI + "max-partitions=0"),
						"llm.throttle.providers.openai.max-partitions must be at least 1 but was 0"),
				arguments(rpm(OPENAI + "min-share=0.7"),
						"llm.throttle.providers.openai.min-share must be between 0 and 0.5 (a fraction of the "
								+ "admissions) but was 0.7"),
				arguments(rpm("llm.throttle.defaults.min-share=-0.1"),
						"llm.throttle.defaults.min-share must be between 0 and 0.5 (a fraction of the "
								+ "admissions) but was -0.1"),
				arguments(new String[] { OPENAI + "base-url=https://api.openai.com" },
						"llm.throttle.providers.openai has no limit"),
				arguments(new String[] { OPENAI + "tokens-per-minute=1000", OPENAI + "default-output-tokens=4096" },
						"llm.throttle.providers.openai.tokens-per-minute must be at least default-output-tokens "
								+ "(4096) but was 1000, so no call could ever be admitted"),
				arguments(new String[] { OPENAI + "output-tokens-per-minute=10", OPENAI + "default-output-tokens=-1" },
						"llm.throttle.providers.openai.default-output-tokens must be at least 0 but was -1"),
				arguments(rpm(OPENAI + "base-url=api.openai.com/v1"),
						"llm.throttle.providers.openai.base-url[0] must be an absolute http or https URL but was "
								+ "'api.openai.com/v1'"),
				arguments(rpm(OPENAI + "base-url=https://api.openai.com,ftp://files.example.com"),
						"llm.throttle.providers.openai.base-url[1] must be an absolute http or https URL but was "
								+ "'ftp://files.example.com'"),
				arguments(
						rpm(OPENAI + "limits[0].dimension=requests", OPENAI + "limits[0].amount=7",
								OPENAI + "limits[0].period=1m"),
						"llm.throttle.providers.openai.limits[0] duplicates "
								+ "llm.throttle.providers.openai.requests-per-minute"),
				arguments(rpm(OPENAI + "retry.max-attempts=0"),
						"llm.throttle.providers.openai.retry.max-attempts must be at least 1 but was 0"),
				arguments(rpm(OPENAI + "retry.initial-backoff=2s", OPENAI + "retry.max-backoff=1s"),
						"llm.throttle.providers.openai.retry.max-backoff must be at least retry.initial-backoff (2s) "
								+ "but was 1s"),
				arguments(rpm(OPENAI + "retry.deadline=0s"),
						"llm.throttle.providers.openai.retry.deadline must be positive but was 0s"),
				arguments(rpm("llm.throttle.defaults.requests-per-day=0"),
						"llm.throttle.defaults.requests-per-day must be at least 1 but was 0"),
				arguments(new String[] { "llm.throttle.defaults.max-concurrent=0" },
						"llm.throttle.defaults.max-concurrent must be at least 1 but was 0"));
	}

	@ParameterizedTest
	@MethodSource("invalidConfigurations")
	void invalidConfigurationFailsStartupNamingThePropertyAndReason(String[] properties, String expected) {
		this.runner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidThrottleConfigurationException.class)
				.message()
				.contains(expected);
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains(expected);
			assertThat(analysis.getAction()).contains("llm.throttle");
		});
	}

	@Test
	void shortPartitionKeySecretFailsWithoutShowingIt() {
		this.runner.withPropertyValues("llm.throttle.partition-key-secret=hunter2").run((context) -> {
			assertThat(context).hasFailed();
			Throwable root = rootCause(context.getStartupFailure());
			assertThat(root).isInstanceOf(InvalidThrottleConfigurationException.class)
				.hasMessageContaining("llm.throttle.partition-key-secret must have at least 16 bytes but has 7");
			assertThat(root.getMessage()).doesNotContain("hunter2");
		});
	}

	@Test
	void everyProblemIsListedAtOnce() {
		this.runner
			.withPropertyValues(OPENAI + "requests-per-minute=0", OPENAI + "max-concurrent=0",
					"llm.throttle.providers.anthropic.max-wait=-1s",
					"llm.throttle.providers.anthropic.tokens-per-minute=1000")
			.run((context) -> {
				InvalidThrottleConfigurationException ex = (InvalidThrottleConfigurationException) rootCause(
						context.getStartupFailure());
				assertThat(ex.problems()).extracting(InvalidThrottleConfigurationException.Problem::origin)
					.containsExactly("llm.throttle.providers.openai.max-concurrent",
							"llm.throttle.providers.openai.requests-per-minute",
							"llm.throttle.providers.anthropic.max-wait");
				assertThat(ex).hasMessageStartingWith("3 problems:");
			});
	}

	@Test
	void aBadDefaultIsReportedOnceWhereItWasWritten() {
		this.runner
			.withPropertyValues("llm.throttle.defaults.max-wait=-1s", "llm.throttle.providers.a.unlimited=true",
					"llm.throttle.providers.b.unlimited=true")
			.run((context) -> {
				InvalidThrottleConfigurationException ex = (InvalidThrottleConfigurationException) rootCause(
						context.getStartupFailure());
				assertThat(ex.problems()).extracting(Object::toString)
					.containsExactly("llm.throttle.defaults.max-wait must not be negative but was -1s");
			});
	}

	@Test
	void unknownDialectFailsBindingNamingTheProperty() {
		assertBindFailure(OPENAI + "dialect=klingon", "llm.throttle.providers.openai.dialect");
	}

	@Test
	void unknownBackendFailsBindingNamingTheProperty() {
		assertBindFailure(OPENAI + "backend=disk", "llm.throttle.providers.openai.backend");
	}

	@Test
	void malformedDurationFailsBindingNamingTheProperty() {
		assertBindFailure(OPENAI + "max-wait=soon", "llm.throttle.providers.openai.max-wait");
	}

	@Test
	void malformedNumberFailsBindingNamingTheProperty() {
		assertBindFailure(OPENAI + "tokens-per-minute=lots", "llm.throttle.providers.openai.tokens-per-minute");
	}

	private void assertBindFailure(String property, String path) {
		this.runner.withPropertyValues(property, OPENAI + "requests-per-minute=5").run((context) -> {
			assertThat(context).hasFailed();
			BindException bind = findCause(context.getStartupFailure(), BindException.class);
			assertThat(bind.getProperty().getName().toString()).isEqualTo(path);
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains(path);
		});
	}

	private static String[] limit(String dimension, String amount, String period) {
		return new String[] { OPENAI + "limits[0].dimension=" + dimension, OPENAI + "limits[0].amount=" + amount,
				OPENAI + "limits[0].period=" + period };
	}

	/**
	 * The given properties plus one valid limit, so that only the given problem is
	 * reported.
	 */
	private static String[] rpm(String... properties) {
		String[] all = new String[properties.length + 1];
		System.arraycopy(properties, 0, all, 0, properties.length);
		all[properties.length] = OPENAI + "requests-per-minute=500";
		return all;
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

	private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		throw new AssertionError("no " + type.getName() + " in " + failure);
	}

}
