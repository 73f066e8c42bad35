package dev.llmthrottle.autoconfigure.redis;

import java.util.List;

import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

import dev.llmthrottle.autoconfigure.Backend;
import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException;
import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.autoconfigure.LlmThrottleProperties;
import dev.llmthrottle.autoconfigure.PartitionStateFactories;
import dev.llmthrottle.autoconfigure.ThrottleSupportAutoConfiguration;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.redis.RedisBackend;
import dev.llmthrottle.core.redis.RedisScripts;

/**
 * Auto-configuration of the Redis backend, active when Lettuce and Spring Data Redis are
 * on the classpath and some provider has {@code backend: redis}: a Lettuce client of its
 * own (see {@link LettuceScriptsFactory} for why) on the application's
 * {@code spring.data.redis.*} connection details, the {@link RedisBackend} and the
 * {@link PartitionStateFactories} that build those providers' throttlers on it.
 */
@AutoConfiguration(before = LlmThrottleAutoConfiguration.class, after = ThrottleSupportAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnBooleanProperty(name = "llm.throttle.enabled", matchIfMissing = true)
@ConditionalOnClass({ RedisBackend.class, RedisClient.class, DataRedisConnectionDetails.class })
@Conditional(OnRedisBackendCondition.class)
@EnableConfigurationProperties(RedisThrottleProperties.class)
public final class LlmThrottleRedisAutoConfiguration {

	private static final System.Logger LOG = System.getLogger(LlmThrottleRedisAutoConfiguration.class.getName());

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	RedisScripts llmThrottleRedisScripts(RedisThrottleProperties properties,
			ObjectProvider<DataRedisConnectionDetails> connectionDetails, ObjectProvider<ClientResources> resources) {
		DataRedisConnectionDetails details = connectionDetails.getIfAvailable(() -> new DataRedisConnectionDetails() {
		});
		return LettuceScriptsFactory.create(details, resources.getIfUnique(), properties.getCommandTimeout());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	RedisBackend llmThrottleRedisBackend(RedisScripts scripts, RedisThrottleProperties properties, TimeSource time,
			ObjectProvider<LlmThrottleProperties> throttleProperties) {
		LlmThrottleProperties throttle = throttleProperties.getIfAvailable();
		if (throttle != null && throttle.getPartitionKeySecret() == null) {
			LOG.log(System.Logger.Level.WARNING, "llm.throttle.partition-key-secret is not set: each instance hashes "
					+ "partition keys under its own random secret, so keyed partitions are not shared through Redis "
					+ "(default partitions are). Set the same secret on every instance.");
		}
		if (properties.getThreads() < 1) {
			throw new InvalidThrottleConfigurationException(List.of(new InvalidThrottleConfigurationException.Problem(
					"llm.throttle.redis.threads", "must be at least 1 but was " + properties.getThreads())));
		}
		return new RedisBackend(scripts, properties.toSettings(), time, properties.getThreads());
	}

	@Bean
	@ConditionalOnMissingBean
	PartitionStateFactories llmThrottlePartitionStateFactories(RedisBackend backend) {
		return (provider, listener) -> {
			if (provider.backend() != Backend.REDIS) {
				return PartitionStateFactories.Backing.LOCAL;
			}
			RedisBackend.Provider redis = backend.provider(provider.name(), listener);
			return new PartitionStateFactories.Backing(redis.states(), redis.executor());
		};
	}

}
