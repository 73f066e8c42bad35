package dev.llmthrottle.autoconfigure.actuate;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.autoconfigure.ThrottlePolicyFactory;
import dev.llmthrottle.autoconfigure.events.ThrottleEventRecorder;
import dev.llmthrottle.core.admission.LlmThrottlers;

/**
 * Auto-configuration of the {@link LlmThrottleEndpoint}, its web extension, and what it
 * reads: the {@link ThrottleStatistics} listener and the {@link ProviderLimitsUpdater}.
 * Applies when Actuator is present, throttlers exist and the endpoint is available
 * (exposed and not switched off).
 *
 * <p>
 * The endpoint condition sits on each bean rather than on the class: Spring loads every
 * condition of a class before evaluating any, so a class-level
 * {@code @ConditionalOnAvailableEndpoint} would fail where Actuator is absent instead of
 * letting {@code @ConditionalOnClass} back off.
 */
@AutoConfiguration(after = LlmThrottleAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(LlmThrottlers.class)
@EnableConfigurationProperties(LlmThrottleEndpointProperties.class)
public final class LlmThrottleEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(LlmThrottleEndpoint.class)
	ThrottleStatistics llmThrottleStatistics(ObjectProvider<Clock> clock) {
		return new ThrottleStatistics(clock.getIfAvailable(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(LlmThrottleEndpoint.class)
	ProviderLimitsUpdater llmThrottleLimitsUpdater(LlmThrottlers throttlers,
			ObjectProvider<ProviderDefinitions> definitions, ObjectProvider<ThrottlePolicyFactory> factory,
			ObjectProvider<ThrottleEventRecorder> recorder) {
		return new ProviderLimitsUpdater(throttlers, definitions.getIfAvailable(),
				factory.getIfAvailable(ThrottlePolicyFactory::new), recorder.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(LlmThrottleEndpoint.class)
	LlmThrottleEndpoint llmThrottleEndpoint(LlmThrottlers throttlers, ThrottleStatistics statistics,
			ObjectProvider<ProviderDefinitions> definitions, ProviderLimitsUpdater updater, ObjectProvider<Clock> clock,
			LlmThrottleEndpointProperties properties) {
		return new LlmThrottleEndpoint(throttlers, statistics, definitions.getIfAvailable(), updater,
				clock.getIfAvailable(Clock::systemUTC), properties.getPartitionsShown());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(LlmThrottleEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	LlmThrottleEndpointWebExtension llmThrottleEndpointWebExtension(LlmThrottleEndpoint endpoint) {
		return new LlmThrottleEndpointWebExtension(endpoint);
	}

}
