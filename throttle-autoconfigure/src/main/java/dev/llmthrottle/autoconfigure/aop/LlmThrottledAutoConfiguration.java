package dev.llmthrottle.autoconfigure.aop;

import java.util.stream.Collectors;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.util.ClassUtils;

import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.autoconfigure.sdk.SdkClients;
import dev.llmthrottle.autoconfigure.sdk.SdkThrottle;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * Auto-configuration of {@link dev.llmthrottle.annotation.LlmThrottled}: registers the
 * post-processor that advises annotated beans (static, as infrastructure, so that it is
 * registered before the beans it processes), and the startup check that warns when an
 * official SDK's own retries would multiply the advisor's.
 */
@AutoConfiguration(after = LlmThrottleAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "llm.throttle.enabled", matchIfMissing = true)
public final class LlmThrottledAutoConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static LlmThrottledBeanPostProcessor llmThrottledBeanPostProcessor(ObjectProvider<LlmThrottlers> throttlers,
			ObjectProvider<ProviderDefinitions> definitions, ObjectProvider<CurrentAdmission> currentAdmission,
			ObjectProvider<TimeSource> time, ObjectProvider<LlmProviders> providers,
			ObjectProvider<ResponseFeedback> feedback) {
		return new LlmThrottledBeanPostProcessor(throttlers, definitions, currentAdmission, time, providers, feedback);
	}

	@Bean
	SdkRetryWarning llmThrottledSdkRetryWarning(ListableBeanFactory beanFactory,
			ObjectProvider<LlmThrottledBeanPostProcessor> postProcessor, ObjectProvider<LlmProviders> providers,
			ObjectProvider<SdkThrottle> sdkThrottle) {
		SdkClients clients = new SdkClients((beanFactory instanceof ConfigurableBeanFactory configurable
				&& configurable.getBeanClassLoader() != null) ? configurable.getBeanClassLoader()
						: ClassUtils.getDefaultClassLoader());
		return new SdkRetryWarning(beanFactory,
				() -> postProcessor.stream()
					.flatMap((processor) -> processor.throttledProviders().stream())
					.collect(Collectors.toSet()),
				providers::getIfAvailable,
				(client) -> sdkThrottle.stream().anyMatch((throttle) -> throttle.isThrottled(client)),
				clients::maxRetries);
	}

}
