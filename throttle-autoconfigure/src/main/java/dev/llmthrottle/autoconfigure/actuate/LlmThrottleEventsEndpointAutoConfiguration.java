package dev.llmthrottle.autoconfigure.actuate;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.autoconfigure.events.ThrottleEventRecorder;
import dev.llmthrottle.core.admission.LlmThrottlers;

/**
 * Auto-configuration of the {@link LlmThrottleEventsEndpoint} and the
 * {@link ThrottleEventRecorder} it reads. Applies when Actuator is present, throttlers
 * exist and the endpoint is available; otherwise no event is kept. The endpoint condition
 * sits on each bean so that {@code @ConditionalOnClass} is evaluated first.
 */
@AutoConfiguration(after = LlmThrottleAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(LlmThrottlers.class)
@EnableConfigurationProperties(LlmThrottleEventsEndpointProperties.class)
public final class LlmThrottleEventsEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(LlmThrottleEventsEndpoint.class)
	ThrottleEventRecorder llmThrottleEventRecorder(ObjectProvider<Clock> clock,
			LlmThrottleEventsEndpointProperties properties) {
		return new ThrottleEventRecorder(clock.getIfAvailable(Clock::systemUTC), properties.getCapacity());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(LlmThrottleEventsEndpoint.class)
	LlmThrottleEventsEndpoint llmThrottleEventsEndpoint(ThrottleEventRecorder recorder, LlmThrottlers throttlers) {
		return new LlmThrottleEventsEndpoint(recorder, throttlers);
	}

}
