package dev.llmthrottle.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;

/**
 * Auto-configuration of the throttler registry: binds {@code llm.throttle.*}, validates
 * it into {@link ProviderDefinitions} and builds {@link LlmThrottlers}, one throttler per
 * provider. Each bean backs off when the application defines its own.
 */
@AutoConfiguration(after = ThrottleSupportAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "llm.throttle.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LlmThrottleProperties.class)
public final class LlmThrottleAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ProviderDefinitions llmThrottleProviderDefinitions(ThrottlePolicyFactory factory,
			LlmThrottleProperties properties) {
		return factory.definitions(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	LlmThrottlers llmThrottlers(ProviderDefinitions definitions, TimeSource time, PartitionKeys keys,
			ObjectProvider<ThrottleListener> listener, ObjectProvider<PartitionStateFactories> stateFactories) {
		ThrottleListener resolved = listener.getIfUnique(() -> ThrottleListener.NONE);
		PartitionStateFactories backings = stateFactories.getIfAvailable();
		List<ProviderThrottler> throttlers = new ArrayList<>();
		for (ProviderDefinition definition : definitions.all()) {
			if (backings == null && definition.backend() == Backend.REDIS) {
				// never fall back to memory silently: every instance would get the whole
				// quota
				throw new InvalidThrottleConfigurationException(
						List.of(new InvalidThrottleConfigurationException.Problem(
								"llm.throttle.providers." + definition.name() + ".backend",
								"is redis, but the Redis backend is not available: add llm-throttle-redis and "
										+ "spring-boot-starter-data-redis (Lettuce) to the classpath")));
			}
			PartitionStateFactories.Backing backing = (backings != null) ? backings.resolve(definition, resolved)
					: PartitionStateFactories.Backing.LOCAL;
			throttlers.add(new ProviderThrottler(definition.policy(), time, keys, resolved, backing.factory(),
					backing.executor()));
		}
		return new LlmThrottlers(throttlers);
	}

	@Bean
	@ConditionalOnMissingBean
	CurrentAdmission llmThrottleCurrentAdmission() {
		return new CurrentAdmission();
	}

}
