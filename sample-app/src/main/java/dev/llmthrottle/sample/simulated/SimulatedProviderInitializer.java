package dev.llmthrottle.sample.simulated;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import dev.llmthrottle.autoconfigure.LlmThrottleProperties;
import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.autoconfigure.ThrottlePolicyFactory;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.sample.SampleProperties;
import dev.llmthrottle.test.SimulatedProvider;
import dev.llmthrottle.test.config.Dialect;
import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.Faults;

/**
 * Starts a {@link SimulatedProvider} for each provider listed in
 * {@code sample.simulated.providers}, before any bean is created, and points the
 * provider's {@code llm.throttle.providers.<name>.base-url} at it through a property
 * source of the highest precedence. Each simulator speaks the provider's dialect and
 * enforces the provider's own configured limits (so both sides agree), in the model
 * {@code sample.simulated.model}.
 *
 * <p>
 * An initializer rather than an {@code EnvironmentPostProcessor}: it runs late enough for
 * the environment to be complete (command line, profiles, test properties) and early
 * enough for the throttler's properties to be bound afterwards, and it has the context at
 * hand to register the simulators as a bean that stops them on close. Registered in
 * {@code META-INF/spring.factories}.
 */
public class SimulatedProviderInitializer
		implements ApplicationContextInitializer<ConfigurableApplicationContext>, Ordered {

	/** Name of the property source carrying the simulators' base URLs. */
	public static final String PROPERTY_SOURCE_NAME = "simulatedProviders";

	private static final Log logger = LogFactory.getLog(SimulatedProviderInitializer.class);

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		ConfigurableEnvironment environment = context.getEnvironment();
		if (context.getParent() != null || environment.getPropertySources().contains(PROPERTY_SOURCE_NAME)) {
			return; // a child context (e.g. a separate management port) shares the
					// parent's simulators
		}
		Binder binder = Binder.get(environment);
		SampleProperties.Simulated simulated = binder.bindOrCreate("sample", SampleProperties.class).simulated();
		if (!simulated.enabled() || simulated.providers().isEmpty()) {
			return;
		}
		ProviderDefinitions definitions = new ThrottlePolicyFactory()
			.definitions(binder.bindOrCreate("llm.throttle", LlmThrottleProperties.class));
		Map<String, SimulatedProvider> started = new LinkedHashMap<>();
		Map<String, Object> baseUrls = new LinkedHashMap<>();
		try {
			for (String name : simulated.providers()) {
				ProviderDefinition definition = definitions.find(name)
					.orElseThrow(() -> new IllegalStateException("sample.simulated.providers names '" + name
							+ "', which is not configured under llm.throttle.providers"));
				SimulatedProvider provider = start(definition, simulated);
				started.put(name, provider);
				baseUrls.put("llm.throttle.providers." + name + ".base-url", provider.baseUrl());
				logger.info("Simulated provider for '" + name + "': " + provider);
			}
		}
		catch (RuntimeException ex) {
			started.values().forEach(SimulatedProvider::close);
			throw ex;
		}
		environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE_NAME, baseUrls));
		SimulatedProviders providers = new SimulatedProviders(started);
		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		beanFactory.registerSingleton(SimulatedProviders.BEAN_NAME, providers);
		// registered as disposable too, so that the simulators stop even when the context
		// fails to refresh
		((DefaultSingletonBeanRegistry) beanFactory).registerDisposableBean(SimulatedProviders.BEAN_NAME, providers);
	}

	private static SimulatedProvider start(ProviderDefinition definition, SampleProperties.Simulated simulated) {
		SimulatedProvider.Builder builder = SimulatedProvider.builder()
			.dialect(Dialect.fromKey(definition.dialect().id()))
			.model(simulated.model())
			.latency(simulated.latency(), simulated.latencyPerToken(), simulated.latencyJitter())
			.seed(simulated.seed());
		for (dev.llmthrottle.test.config.Limit limit : limits(definition, simulated)) {
			builder.limit(limit);
		}
		if (simulated.faultRate() > 0) {
			builder.faults(Faults.none().serverErrors(simulated.faultRate()));
		}
		return builder.start();
	}

	/**
	 * {@code sample.simulated.limits} when set, else the provider's configured limits.
	 */
	private static List<dev.llmthrottle.test.config.Limit> limits(ProviderDefinition definition,
			SampleProperties.Simulated simulated) {
		List<dev.llmthrottle.test.config.Limit> limits = new ArrayList<>();
		if (!simulated.limits().isEmpty()) {
			simulated.limits().forEach((spec) -> limits.add(dev.llmthrottle.test.config.Limit.parse(spec)));
			return limits;
		}
		for (Limit limit : definition.policy().limits()) {
			limits.add(new dev.llmthrottle.test.config.Limit(Dimension.fromKey(limit.dimension().id()), limit.amount(),
					limit.period()));
		}
		return limits;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 10;
	}

}
