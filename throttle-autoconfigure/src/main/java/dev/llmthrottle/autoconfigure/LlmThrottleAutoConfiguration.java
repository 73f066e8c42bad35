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
 * Auto-configuration of the throttler registry: binds {@code llm.throttle.*}, validates it into
 * {@link ProviderDefinitions} and builds {@link LlmThrottlers}, one throttler per provider. Each bean backs off
 * when the application defines its own.
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
			ObjectProvider<ThrottleListener> listener) {
		ThrottleListener resolved = listener.getIfUnique(() -> ThrottleListener.NONE);
		List<ProviderThrottler> throttlers = new ArrayList<>();
		for (ProviderDefinition definition : definitions.all()) {
			throttlers.add(new ProviderThrottler(definition.policy(), time, keys, resolved));
		}
		return new LlmThrottlers(throttlers);
	}

	@Bean
	@ConditionalOnMissingBean
	CurrentAdmission llmThrottleCurrentAdmission() {
		return new CurrentAdmission();
	}

}
