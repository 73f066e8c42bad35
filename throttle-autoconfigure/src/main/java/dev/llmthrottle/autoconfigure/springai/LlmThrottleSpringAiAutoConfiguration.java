package dev.llmthrottle.autoconfigure.springai;

import org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import dev.llmthrottle.autoconfigure.ThrottledClient;
import dev.llmthrottle.autoconfigure.okhttp.LlmThrottleOkHttpAutoConfiguration;
import dev.llmthrottle.autoconfigure.okhttp.LlmThrottleOkHttpInterceptor;

/**
 * Puts {@link LlmThrottleOkHttpInterceptor} under Spring AI 2.0's OpenAI and Anthropic
 * models: their auto-configurations apply every {@code OpenAiHttpClientBuilderCustomizer}
 * / {@code AnthropicHttpClientBuilderCustomizer} bean to the OkHttp client each model's
 * SDK sends through, so every HTTP attempt of every model call is throttled when a
 * configured provider covers its base URL (others pass through untouched). Each model
 * family with a model enabled also enters the startup report with the base URL Spring AI
 * will use.
 */
@AutoConfiguration(after = LlmThrottleOkHttpAutoConfiguration.class)
@ConditionalOnBean(LlmThrottleOkHttpInterceptor.class)
public final class LlmThrottleSpringAiAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(OpenAiHttpClientBuilderCustomizer.class)
	static final class OpenAi {

		@Bean
		OpenAiHttpClientBuilderCustomizer llmThrottleOpenAiHttpClientBuilderCustomizer(
				LlmThrottleOkHttpInterceptor interceptor) {
			return (builder) -> builder.interceptor(interceptor);
		}

		@Bean
		@Conditional(OnSpringAiModel.OpenAi.class)
		ThrottledClient llmThrottleSpringAiOpenAiThrottledClient(Environment environment) {
			return ThrottledClient.at("Spring AI OpenAI", SpringAiBaseUrls.openAi(environment));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(AnthropicHttpClientBuilderCustomizer.class)
	static final class Anthropic {

		@Bean
		AnthropicHttpClientBuilderCustomizer llmThrottleAnthropicHttpClientBuilderCustomizer(
				LlmThrottleOkHttpInterceptor interceptor) {
			return (builder) -> builder.interceptor(interceptor);
		}

		@Bean
		@Conditional(OnSpringAiModel.Anthropic.class)
		ThrottledClient llmThrottleSpringAiAnthropicThrottledClient(Environment environment) {
			return ThrottledClient.at("Spring AI Anthropic", SpringAiBaseUrls.anthropic(environment));
		}

	}

}
