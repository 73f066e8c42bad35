package dev.llmthrottle.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code auto} as a rate value: a provisional limit that the provider's headers replace.
 */
class AutoLimitConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all());

	@Test
	void autoBindsToAProvisionalLimitThatIsLearned() {
		this.runner
			.withPropertyValues("llm.throttle.providers.openai.base-url=https://api.openai.com/v1",
					"llm.throttle.providers.openai.requests-per-minute=auto",
					"llm.throttle.providers.openai.tokens-per-minute=AUTO",
					"llm.throttle.providers.openai.requests-per-day=10000")
			.run((context) -> {
				ThrottlePolicy policy = context.getBean(ProviderDefinitions.class).get("openai").policy();
				assertThat(policy.limits()).contains(Limit.perMinute(Dimension.REQUESTS, 60),
						Limit.perMinute(Dimension.TOKENS, 1_000_000_000L),
						Limit.of(Dimension.REQUESTS, 10_000, Duration.ofDays(1)));
				assertThat(policy.isAuto(Dimension.REQUESTS, Duration.ofMinutes(1))).isTrue();
				assertThat(policy.isAuto(Dimension.TOKENS, Duration.ofMinutes(1))).isTrue();
				assertThat(policy.isAuto(Dimension.REQUESTS, Duration.ofDays(1))).isFalse();
			});
	}

	@Test
	void anythingElseThanANumberOrAutoFailsNamingTheProperty() {
		this.runner
			.withPropertyValues("llm.throttle.providers.openai.base-url=https://api.openai.com/v1",
					"llm.throttle.providers.openai.requests-per-minute=lots")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("must be a whole number or 'auto'"));
		this.runner
			.withPropertyValues("llm.throttle.providers.openai.base-url=https://api.openai.com/v1",
					"llm.throttle.providers.openai.requests-per-minute=lots")
			.run((context) -> assertThat(context.getStartupFailure())
				.hasStackTraceContaining("llm.throttle.providers.openai.requests-per-minute"));
	}

	@Test
	void numbersStillBind() {
		this.runner
			.withPropertyValues("llm.throttle.providers.openai.base-url=https://api.openai.com/v1",
					"llm.throttle.providers.openai.requests-per-minute=500")
			.run((context) -> assertThat(context.getBean(ProviderDefinitions.class).get("openai").policy().limits())
				.containsExactly(Limit.perMinute(Dimension.REQUESTS, 500)));
	}

	@Test
	void aBlankValueMeansUnset() {
		this.runner
			.withPropertyValues("llm.throttle.providers.openai.base-url=https://api.openai.com/v1",
					"llm.throttle.providers.openai.requests-per-minute=",
					"llm.throttle.providers.openai.tokens-per-minute=900")
			.run((context) -> assertThat(context.getBean(ProviderDefinitions.class).get("openai").policy().limits())
				.containsExactly(Limit.perMinute(Dimension.TOKENS, 900)));
	}

}
