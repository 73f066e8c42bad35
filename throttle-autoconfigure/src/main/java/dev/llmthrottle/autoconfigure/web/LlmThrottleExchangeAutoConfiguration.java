package dev.llmthrottle.autoconfigure.web;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.call.LlmThrottlerRegistry;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProvider;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;
import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;
import dev.llmthrottle.protocol.tokens.TokenEstimator;

/**
 * What the HTTP filters and the advisor share about talking to providers: the providers
 * by base URL, the response feedback (cooldown, shrinking, retries) and the cost
 * estimator.
 */
@AutoConfiguration(after = LlmThrottleAutoConfiguration.class)
@ConditionalOnBean({ LlmThrottlers.class, ProviderDefinitions.class })
public final class LlmThrottleExchangeAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LlmProviders llmProviders(ProviderDefinitions definitions, LlmThrottlers throttlers) {
		List<LlmProvider> providers = new ArrayList<>();
		for (ProviderDefinition definition : definitions.all()) {
			providers.add(new LlmProvider(definition.name(), definition.dialect(), definition.baseUrls(),
					definition.retry(), definition.defaultOutputTokens(), throttlers.get(definition.name())));
		}
		return new LlmProviders(providers);
	}

	@Bean
	@ConditionalOnMissingBean
	ResponseFeedback llmThrottleResponseFeedback(ObjectProvider<ThrottleListener> listener) {
		return new ResponseFeedback(Clock.systemUTC(), new Random(),
				listener.getIfAvailable(() -> ThrottleListener.NONE));
	}

	@Bean
	@ConditionalOnMissingBean
	LlmThrottlerRegistry llmThrottlerRegistry(LlmProviders providers, ResponseFeedback feedback, TimeSource time) {
		return new LlmThrottlerRegistry(providers, feedback, time);
	}

	/**
	 * Each provider's {@link dev.llmthrottle.call.LlmThrottler} as a bean named
	 * {@code <provider>LlmThrottler}.
	 */
	@Bean
	static LlmThrottlerBeans llmThrottlerBeans() {
		return new LlmThrottlerBeans();
	}

	@Bean
	@ConditionalOnMissingBean
	CostEstimator llmThrottleCostEstimator() {
		return new CostEstimator(new JtokkitTokenCounter(), TokenEstimator.DEFAULT_SAFETY_FACTOR);
	}

}
