package dev.llmthrottle.autoconfigure.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.client.WebClient;

import dev.llmthrottle.autoconfigure.ThrottledClient;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * Adds {@link LlmThrottleExchangeFilterFunction} to every {@code WebClient.Builder} Boot
 * hands out. Requests to other hosts pass through untouched.
 */
@AutoConfiguration(after = LlmThrottleExchangeAutoConfiguration.class)
@ConditionalOnClass({ WebClient.class, WebClientCustomizer.class, reactor.core.publisher.Mono.class })
@ConditionalOnBean(LlmProviders.class)
public final class LlmThrottleWebClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LlmThrottleExchangeFilterFunction llmThrottleExchangeFilterFunction(LlmProviders providers,
			ResponseFeedback feedback, CostEstimator costs, TimeSource time, CurrentAdmission currentAdmission) {
		return new LlmThrottleExchangeFilterFunction(providers, feedback, costs, time, currentAdmission);
	}

	@Bean
	WebClientCustomizer llmThrottleWebClientCustomizer(LlmThrottleExchangeFilterFunction filter) {
		return (builder) -> builder.filter(filter);
	}

	@Bean
	ThrottledClient llmThrottleWebClientThrottledClient() {
		return ThrottledClient.anyUrl("WebClient");
	}

}
