package dev.llmthrottle.autoconfigure.sdk;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

import dev.llmthrottle.autoconfigure.sdk.anthropic.AnthropicSdkThrottle;
import dev.llmthrottle.autoconfigure.sdk.openai.OpenAiSdkThrottle;
import dev.llmthrottle.autoconfigure.web.LlmThrottleExchangeAutoConfiguration;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.exchange.CostEstimator;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * The official SDKs under the call pipeline: an {@link SdkThrottle}, and for each SDK on
 * the class path its wrapper ({@link OpenAiSdkThrottle}, {@link AnthropicSdkThrottle},
 * injectable to wrap clients that are not beans) and a post-processor that wraps every
 * {@code OpenAIClient}, {@code OpenAIClientAsync}, {@code AnthropicClient} and
 * {@code AnthropicClientAsync} bean whose base URL a configured provider covers (with the
 * SDK's retries turned off: the provider's retry policy owns them). Each client bean
 * enters the startup report ({@code ThrottledClientReport}), with a warning for one whose
 * base URL no provider covers.
 */
@AutoConfiguration(after = LlmThrottleExchangeAutoConfiguration.class)
@ConditionalOnBean(LlmProviders.class)
public final class LlmThrottleSdkAutoConfiguration {

	static SdkThrottle sdkThrottle(LlmProviders providers, ResponseFeedback feedback, CostEstimator costs,
			CurrentAdmission currentAdmission, TimeSource time) {
		return new SdkThrottle(providers, feedback, costs, currentAdmission, time);
	}

	/** openai-java. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "com.openai.client.OpenAIClient")
	static class OpenAi {

		@Bean
		@ConditionalOnMissingBean
		SdkThrottle llmThrottleSdk(LlmProviders providers, ResponseFeedback feedback, CostEstimator costs,
				CurrentAdmission currentAdmission, TimeSource time) {
			return sdkThrottle(providers, feedback, costs, currentAdmission, time);
		}

		@Bean
		@ConditionalOnMissingBean
		OpenAiSdkThrottle openAiSdkThrottle(SdkThrottle throttle) {
			return new OpenAiSdkThrottle(throttle);
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static SdkClientPostProcessor llmThrottleOpenAiClients(ObjectProvider<OpenAiSdkThrottle> throttle) {
			return new SdkClientPostProcessor("openai-java", "OpenAI SDK",
					(bean) -> (bean instanceof com.openai.client.OpenAIClient client)
							? throttle.getObject().throttle(client)
							: (bean instanceof com.openai.client.OpenAIClientAsync async)
									? throttle.getObject().throttle(async) : bean,
					OpenAiSdkThrottle::baseUrl);
		}

	}

	/** anthropic-java. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "com.anthropic.client.AnthropicClient")
	static class Anthropic {

		@Bean
		@ConditionalOnMissingBean
		SdkThrottle llmThrottleSdk(LlmProviders providers, ResponseFeedback feedback, CostEstimator costs,
				CurrentAdmission currentAdmission, TimeSource time) {
			return sdkThrottle(providers, feedback, costs, currentAdmission, time);
		}

		@Bean
		@ConditionalOnMissingBean
		AnthropicSdkThrottle anthropicSdkThrottle(SdkThrottle throttle) {
			return new AnthropicSdkThrottle(throttle);
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static SdkClientPostProcessor llmThrottleAnthropicClients(ObjectProvider<AnthropicSdkThrottle> throttle) {
			return new SdkClientPostProcessor(
					"anthropic-java", "Anthropic SDK", (
							bean) -> (bean instanceof com.anthropic.client.AnthropicClient client)
									? throttle.getObject().throttle(client)
									: (bean instanceof com.anthropic.client.AnthropicClientAsync async)
											? throttle.getObject().throttle(async) : bean,
					AnthropicSdkThrottle::baseUrl);
		}

	}

}
