package dev.llmthrottle.autoconfigure.web;

import java.util.Map;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

import dev.llmthrottle.autoconfigure.ProviderProperties;
import dev.llmthrottle.call.LlmThrottler;
import dev.llmthrottle.call.LlmThrottlerRegistry;

/**
 * Registers each configured provider's {@link LlmThrottler} as a bean named
 * {@code <provider>LlmThrottler}, so that application code injects it by qualifier. Each
 * bean is the registry's instance (built on the provider's engine throttler), so limits
 * changed at runtime through the actuator apply to it.
 */
final class LlmThrottlerBeans implements BeanDefinitionRegistryPostProcessor, EnvironmentAware, BeanFactoryAware {

	/** Suffix of the bean names. */
	static final String SUFFIX = "LlmThrottler";

	private Environment environment;

	private BeanFactory beanFactory;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
		Map<String, ProviderProperties> providers = Binder.get(this.environment)
			.bind("llm.throttle.providers", Bindable.mapOf(String.class, ProviderProperties.class))
			.orElse(Map.of());
		for (String name : providers.keySet()) {
			String beanName = name + SUFFIX;
			if (registry.containsBeanDefinition(beanName)) {
				continue;
			}
			RootBeanDefinition definition = new RootBeanDefinition(LlmThrottler.class,
					() -> this.beanFactory.getBean(LlmThrottlerRegistry.class).get(name));
			definition.setLazyInit(true);
			registry.registerBeanDefinition(beanName, definition);
		}
	}

}
