package dev.llmthrottle.autoconfigure.metrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.core.admission.LlmThrottlers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Auto-configuration of the {@link LlmThrottleMeterBinder}. Applies when Micrometer is
 * present and both a {@link MeterRegistry} and throttlers exist; Spring Boot binds it to
 * the registry and the throttlers' listener forwards events to it.
 */
@AutoConfiguration(after = LlmThrottleAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean({ LlmThrottlers.class, MeterRegistry.class })
public final class LlmThrottleMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LlmThrottleMeterBinder llmThrottleMeterBinder(ObjectProvider<LlmThrottlers> throttlers) {
		return new LlmThrottleMeterBinder(() -> throttlers.getObject().all());
	}

}
