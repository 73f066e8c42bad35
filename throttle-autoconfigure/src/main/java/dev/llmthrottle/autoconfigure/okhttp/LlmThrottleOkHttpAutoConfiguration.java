package dev.llmthrottle.autoconfigure.okhttp;

import okhttp3.Interceptor;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * The {@link LlmThrottleOkHttpInterceptor} as a bean when OkHttp is on the class path,
 * for the Spring AI customizers and for an application's own {@code OkHttpClient}
 * ({@code new OkHttpClient.Builder().addInterceptor(interceptor)}).
 */
@AutoConfiguration(afterName = "dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeAutoConfiguration")
@ConditionalOnClass(Interceptor.class)
@ConditionalOnBean(LlmProviders.class)
public final class LlmThrottleOkHttpAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LlmThrottleOkHttpInterceptor llmThrottleOkHttpInterceptor(LlmProviders providers, ResponseFeedback feedback,
			CostEstimator costs, CurrentAdmission currentAdmission, TimeSource time) {
		return new LlmThrottleOkHttpInterceptor(providers, feedback, costs, currentAdmission, time);
	}

}
