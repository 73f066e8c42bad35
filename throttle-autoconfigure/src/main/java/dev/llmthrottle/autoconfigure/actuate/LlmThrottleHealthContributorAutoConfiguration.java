package dev.llmthrottle.autoconfigure.actuate;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.ProviderThrottler;

/**
 * Auto-configuration of the {@code llmThrottle} health contribution: one
 * {@link ProviderHealthIndicator} per provider. Applies when the health module is
 * present, throttlers exist and {@code management.health.llmthrottle.enabled} is not
 * false. Its statuses never take the application down by default (see
 * {@link ProviderHealthIndicator}). The enablement condition sits on each bean so that
 * {@code @ConditionalOnClass} is evaluated first.
 */
@AutoConfiguration(after = { LlmThrottleAutoConfiguration.class, LlmThrottleEndpointAutoConfiguration.class })
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(LlmThrottlers.class)
@EnableConfigurationProperties(LlmThrottleHealthProperties.class)
public final class LlmThrottleHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnEnabledHealthIndicator("llmthrottle")
	ThrottleStatistics llmThrottleStatistics(ObjectProvider<Clock> clock) {
		return new ThrottleStatistics(clock.getIfAvailable(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnMissingBean(name = "llmThrottleHealthContributor")
	@ConditionalOnEnabledHealthIndicator("llmthrottle")
	CompositeHealthContributor llmThrottleHealthContributor(LlmThrottlers throttlers, ThrottleStatistics statistics,
			LlmThrottleHealthProperties properties, ObjectProvider<Clock> clock) {
		Clock wallClock = clock.getIfAvailable(Clock::systemUTC);
		Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
		for (String name : throttlers.names()) {
			ProviderThrottler throttler = throttlers.get(name);
			indicators.put(name,
					new ProviderHealthIndicator(throttler, statistics, properties.getLongCooldown(), wallClock));
		}
		return CompositeHealthContributor.fromMap(indicators);
	}

}
