package dev.llmthrottle.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import dev.llmthrottle.core.admission.ThrottleListener;

/**
 * Auto-configuration of the {@link CompositeThrottleListener}: the primary
 * {@link ThrottleListener}, which the throttlers talk to and which forwards to every
 * other listener bean (metrics, events).
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "llm.throttle.enabled", matchIfMissing = true)
public final class ThrottleListenerAutoConfiguration {

	@Bean
	@Primary
	@ConditionalOnMissingBean
	CompositeThrottleListener llmThrottleListener(ObjectProvider<ThrottleListener> listeners) {
		return new CompositeThrottleListener(listeners);
	}

}
