package dev.llmthrottle.autoconfigure.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

import dev.llmthrottle.autoconfigure.ThrottledClient;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * Adds {@link LlmThrottleClientHttpRequestInterceptor} to every
 * {@code RestClient.Builder} Boot hands out.
 */
@AutoConfiguration(after = LlmThrottleExchangeAutoConfiguration.class)
@ConditionalOnClass({ RestClient.class, RestClientCustomizer.class })
@ConditionalOnBean(LlmProviders.class)
public final class LlmThrottleRestClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LlmThrottleClientHttpRequestInterceptor llmThrottleClientHttpRequestInterceptor(LlmProviders providers,
			ResponseFeedback feedback, CostEstimator costs, CurrentAdmission currentAdmission, TimeSource time) {
		return new LlmThrottleClientHttpRequestInterceptor(providers, feedback, costs, currentAdmission, time);
	}

	@Bean
	RestClientCustomizer llmThrottleRestClientCustomizer(LlmThrottleClientHttpRequestInterceptor interceptor) {
		return (builder) -> builder.requestInterceptor(interceptor);
	}

	@Bean
	ThrottledClient llmThrottleRestClientThrottledClient() {
		return ThrottledClient.anyUrl("RestClient");
	}

}
