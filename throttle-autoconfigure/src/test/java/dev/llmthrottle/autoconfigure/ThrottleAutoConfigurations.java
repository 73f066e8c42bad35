package dev.llmthrottle.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfigurations;

import dev.llmthrottle.autoconfigure.aop.LlmThrottledAutoConfiguration;

/**
 * The auto-configurations of this module that tests load, in one place.
 */
public final class ThrottleAutoConfigurations {

	private ThrottleAutoConfigurations() {
	}

	public static AutoConfigurations all() {
		return AutoConfigurations.of(ThrottleSupportAutoConfiguration.class, ThrottleListenerAutoConfiguration.class,
				LlmThrottleAutoConfiguration.class, LlmThrottledAutoConfiguration.class);
	}

}
