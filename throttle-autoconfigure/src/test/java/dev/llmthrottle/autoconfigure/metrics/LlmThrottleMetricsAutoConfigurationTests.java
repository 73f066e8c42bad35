package dev.llmthrottle.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.autoconfigure.CompositeThrottleListener;
import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.autoconfigure.ThrottleListenerAutoConfiguration;
import dev.llmthrottle.autoconfigure.ThrottleSupportAutoConfiguration;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.LlmThrottlers;

import static org.assertj.core.api.Assertions.assertThat;

class LlmThrottleMetricsAutoConfigurationTests {

	private static final AutoConfigurations THROTTLE = AutoConfigurations.of(ThrottleSupportAutoConfiguration.class,
			ThrottleListenerAutoConfiguration.class, LlmThrottleAutoConfiguration.class,
			LlmThrottleMetricsAutoConfiguration.class);

	private static final AutoConfigurations METRICS = AutoConfigurations.of(MetricsAutoConfiguration.class,
			SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class);

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(THROTTLE)
		.withConfiguration(METRICS)
		.withPropertyValues("llm.throttle.providers.openai.requests-per-minute=100",
				"llm.throttle.providers.anthropic.max-concurrent=4");

	@Test
	void bindsEveryProviderAndHearsItsEvents() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(LlmThrottleMeterBinder.class);
			assertThat(context.getBean(CompositeThrottleListener.class).delegates())
				.contains(context.getBean(LlmThrottleMeterBinder.class));
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get(LlmThrottleMetrics.IN_FLIGHT).tag("provider", "anthropic").gauge().value())
				.isZero();
			context.getBean(LlmThrottlers.class).get("openai").acquire("sk-key", Cost.oneRequest()).release(null);
			assertThat(registry.get(LlmThrottleMetrics.CALLS)
				.tags("provider", "openai", "outcome", "admitted")
				.counter()
				.count()).isEqualTo(1);
		});
	}

	@Test
	void backsOffWithoutMicrometer() {
		this.runner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
			.run((context) -> assertThat(context).hasSingleBean(LlmThrottlers.class)
				.doesNotHaveBean(LlmThrottleMeterBinder.class));
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		new ApplicationContextRunner().withConfiguration(THROTTLE)
			.withPropertyValues("llm.throttle.providers.openai.requests-per-minute=100")
			.run((context) -> assertThat(context).hasSingleBean(LlmThrottlers.class)
				.doesNotHaveBean(LlmThrottleMeterBinder.class));
	}

	@Test
	void backsOffWithoutThrottlers() {
		this.runner.withPropertyValues("llm.throttle.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(MeterRegistry.class)
				.doesNotHaveBean(LlmThrottleMeterBinder.class));
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnBinder() {
		this.runner.withUserConfiguration(CustomBinder.class).run((context) -> {
			assertThat(context).hasSingleBean(LlmThrottleMeterBinder.class);
			assertThat(context).getBean("customBinder").isSameAs(context.getBean(LlmThrottleMeterBinder.class));
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomBinder {

		@Bean
		LlmThrottleMeterBinder customBinder() {
			return new LlmThrottleMeterBinder(java.util.List::of);
		}

	}

}
