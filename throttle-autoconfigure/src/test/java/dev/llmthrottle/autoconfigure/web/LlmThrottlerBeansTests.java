package dev.llmthrottle.autoconfigure.web;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.autoconfigure.ThrottleAutoConfigurations;
import dev.llmthrottle.call.LlmThrottler;
import dev.llmthrottle.call.LlmThrottlerRegistry;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A throttler bean per configured provider, named {@code <provider>LlmThrottler},
 * injectable by qualifier and running on the same engine throttler the actuator changes
 * at runtime.
 */
class LlmThrottlerBeansTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withConfiguration(AutoConfigurations.of(LlmThrottleExchangeAutoConfiguration.class))
		.withPropertyValues("llm.throttle.providers.openai.requests-per-minute=500",
				"llm.throttle.providers.openai.max-concurrent=4",
				"llm.throttle.providers.anthropic.requests-per-minute=50");

	@Test
	void eachProviderHasAThrottlerBeanInjectableByQualifier() {
		this.runner.withUserConfiguration(Consumer.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBeansOfType(LlmThrottler.class)).containsOnlyKeys("openaiLlmThrottler",
					"anthropicLlmThrottler");
			LlmThrottler openai = context.getBean(Consumer.class).openai;
			assertThat(openai.name()).isEqualTo("openai");
			assertThat(openai).isSameAs(context.getBean(LlmThrottlerRegistry.class).get("openai"));
			assertThat(openai.throttler()).isSameAs(context.getBean(LlmThrottlers.class).get("openai"));
			assertThat(openai.call("sk-key", Cost.oneRequest(), () -> "ok")).isEqualTo("ok");
		});
	}

	@Test
	void runtimeLimitChangesApplyToTheBean() {
		this.runner.run((context) -> {
			LlmThrottler openai = context.getBean("openaiLlmThrottler", LlmThrottler.class);
			ThrottlePolicy before = openai.throttler().policy();
			ThrottlePolicy lowered = new ThrottlePolicy("openai", before.limits(), 1, before.maxWait(),
					before.maxQueue(), before.burst(), before.maxPartitions());
			context.getBean(LlmThrottlers.class).get("openai").apply(lowered);
			assertThat(openai.throttler().partition("sk-key").policy().maxConcurrent()).isEqualTo(1);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class Consumer {

		LlmThrottler openai;

		@Bean
		Object openaiUser(@Qualifier("openaiLlmThrottler") LlmThrottler openai) {
			this.openai = openai;
			return new Object();
		}

	}

}
