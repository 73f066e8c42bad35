package dev.llmthrottle.autoconfigure.redis;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llmthrottle.autoconfigure.PartitionStateFactories;
import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;
import dev.llmthrottle.core.admission.LlmThrottlers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis backend is its own module ({@code llm-throttle-redis}), opt-in like Lettuce:
 * an application that has Lettuce (for its own use of Redis) but not the module gets no
 * Redis auto-configuration, and a provider with {@code backend: redis} fails startup
 * naming the module instead of failing on a missing class.
 */
class RedisModuleAbsentTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withConfiguration(
				AutoConfigurations.of(DataRedisAutoConfiguration.class, LlmThrottleRedisAutoConfiguration.class))
		.withClassLoader(new FilteredClassLoader("dev.llmthrottle.core.redis"))
		.withPropertyValues("llm.throttle.partition-key-secret=a-shared-secret-of-enough-bytes",
				"llm.throttle.providers.openai.requests-per-minute=600");

	@Test
	void withLettuceButWithoutTheRedisModuleARedisProviderFailsStartupNamingTheModule() {
		this.runner.withPropertyValues("llm.throttle.providers.openai.backend=redis")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("llm.throttle.providers.openai.backend")
				.hasMessageContaining("add llm-throttle-redis"));
	}

	@Test
	void withoutTheRedisModuleLocalProvidersStartAsBefore() {
		this.runner.run((context) -> assertThat(context).hasNotFailed()
			.hasSingleBean(LlmThrottlers.class)
			.doesNotHaveBean(PartitionStateFactories.class));
	}

}
