package dev.llmthrottle.autoconfigure.redis;

import java.time.Duration;

import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llmthrottle.autoconfigure.PartitionStateFactories;
import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.redis.FailurePolicy;
import dev.llmthrottle.core.redis.RedisBackend;
import dev.llmthrottle.core.redis.RedisScripts;
import dev.llmthrottle.core.redis.TestRedisAccess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the Redis backend is configured, and when it backs off: only a provider with
 * {@code backend: redis} gets Redis-backed partitions; without Lettuce such a provider
 * fails startup instead of silently using memory.
 */
class LlmThrottleRedisAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withConfiguration(
				AutoConfigurations.of(DataRedisAutoConfiguration.class, LlmThrottleRedisAutoConfiguration.class))
		.withPropertyValues("llm.throttle.partition-key-secret=a-shared-secret-of-enough-bytes",
				"llm.throttle.providers.openai.requests-per-minute=600",
				"llm.throttle.providers.local.requests-per-minute=600");

	@Test
	void backsOffWhenNoProviderUsesRedis() {
		this.runner.run((context) -> assertThat(context).hasNotFailed()
			.doesNotHaveBean(RedisBackend.class)
			.doesNotHaveBean(RedisScripts.class)
			.doesNotHaveBean(PartitionStateFactories.class));
	}

	@Test
	void bindsItsProperties() {
		this.runner
			.withPropertyValues("llm.throttle.providers.openai.backend=redis", "llm.throttle.redis.key-prefix=app1",
					"llm.throttle.redis.on-failure=fail-closed", "llm.throttle.redis.expected-instances=4",
					"llm.throttle.redis.command-timeout=250ms", "llm.throttle.redis.lease-ttl=10s")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(RedisBackend.class);
				RedisThrottleProperties properties = context.getBean(RedisThrottleProperties.class);
				assertThat(properties.toSettings().onFailure()).isEqualTo(FailurePolicy.FAIL_CLOSED);
				assertThat(properties.toSettings().keyPrefix()).isEqualTo("app1");
				assertThat(properties.toSettings().expectedInstances()).isEqualTo(4);
				assertThat(properties.toSettings().commandTimeout()).isEqualTo(Duration.ofMillis(250));
				assertThat(context.getBean(RedisBackend.class).settings().leaseTtl()).isEqualTo(Duration.ofSeconds(10));
			});
	}

	@Test
	void aDefaultBackendOfRedisActivatesIt() {
		this.runner.withPropertyValues("llm.throttle.defaults.backend=redis")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(RedisBackend.class));
	}

	@Test
	void withoutLettuceARedisProviderFailsStartup() {
		this.runner.withClassLoader(new FilteredClassLoader(RedisClient.class))
			.withPropertyValues("llm.throttle.providers.openai.backend=redis")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("llm.throttle.providers.openai.backend")
				.hasMessageContaining("Redis backend is not available"));
	}

	@Test
	@dev.llmthrottle.test.junit.RequiresRedis
	void onlyTheRedisProviderAdmitsThroughRedis() {
		String prefix = TestRedisAccess.uniquePrefix();
		this.runner
			.withPropertyValues("llm.throttle.providers.openai.backend=redis",
					"llm.throttle.redis.key-prefix=" + prefix, "spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=6379")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				LlmThrottlers throttlers = context.getBean(LlmThrottlers.class);
				// a remote partition never admits on the caller's thread
				assertThat(throttlers.get("openai").defaultPartition().tryAcquire(Cost.oneRequest())).isNull();
				Permit local = throttlers.get("local").defaultPartition().tryAcquire(Cost.oneRequest());
				assertThat(local).isNotNull();
				local.release(null);
				Permit permit = throttlers.get("openai").acquire("tenant-42", Cost.oneRequest());
				permit.release(null);
				assertThat(TestRedisAccess.keys(prefix + ":*")).isNotEmpty()
					.allMatch((key) -> key.startsWith(prefix + ":{openai:k"));
			});
	}

}
