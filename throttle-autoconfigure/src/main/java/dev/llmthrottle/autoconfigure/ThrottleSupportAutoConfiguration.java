package dev.llmthrottle.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.PartitionKeys;

/**
 * Auto-configuration of what every throttler is built on: the time source (real time and
 * one timer thread, closed with the context), the factory that validates the properties
 * into policies, and the keyed hash of partition keys. Tests replace the time source with
 * a {@link dev.llmthrottle.core.VirtualTimeSource} bean.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "llm.throttle.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LlmThrottleProperties.class)
public final class ThrottleSupportAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	TimeSource llmThrottleTimeSource() {
		return new SystemTimeSource();
	}

	@Bean
	@ConditionalOnMissingBean
	ThrottlePolicyFactory llmThrottlePolicyFactory(Environment environment) {
		return new ThrottlePolicyFactory(environment);
	}

	@Bean
	@ConditionalOnMissingBean
	PartitionKeys llmThrottlePartitionKeys(ThrottlePolicyFactory factory, LlmThrottleProperties properties) {
		return factory.partitionKeys(properties);
	}

}
