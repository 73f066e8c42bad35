package dev.llmthrottle.autoconfigure.actuate;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.autoconfigure.CompositeThrottleListener;
import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.autoconfigure.ThrottleListenerAutoConfiguration;
import dev.llmthrottle.autoconfigure.ThrottleSupportAutoConfiguration;
import dev.llmthrottle.autoconfigure.events.ThrottleEvent;
import dev.llmthrottle.autoconfigure.events.ThrottleEventRecorder;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.LlmThrottlers;

import static org.assertj.core.api.Assertions.assertThat;

class LlmThrottleActuateAutoConfigurationTests {

	private static final String EXPOSE = "management.endpoints.web.exposure.include=llmthrottle,llmthrottleevents";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThrottleSupportAutoConfiguration.class,
				ThrottleListenerAutoConfiguration.class, LlmThrottleAutoConfiguration.class,
				LlmThrottleEndpointAutoConfiguration.class, LlmThrottleEventsEndpointAutoConfiguration.class,
				LlmThrottleHealthContributorAutoConfiguration.class))
		.withPropertyValues("llm.throttle.providers.openai.requests-per-minute=100",
				"llm.throttle.providers.anthropic.requests-per-minute=50");

	@Test
	void providesEndpointsHealthAndListenersWhenExposed() {
		this.runner.withPropertyValues(EXPOSE).run((context) -> {
			assertThat(context).hasSingleBean(LlmThrottleEndpoint.class)
				.hasSingleBean(LlmThrottleEventsEndpoint.class)
				.hasSingleBean(ThrottleStatistics.class)
				.hasSingleBean(ThrottleEventRecorder.class)
				.hasSingleBean(ProviderLimitsUpdater.class)
				.hasSingleBean(LlmThrottleEndpointWebExtension.class)
				.hasBean("llmThrottleHealthContributor");
			assertThat(context.getBean(CompositeThrottleListener.class).delegates())
				.contains(context.getBean(ThrottleStatistics.class), context.getBean(ThrottleEventRecorder.class));
			LlmThrottlers throttlers = context.getBean(LlmThrottlers.class);
			throttlers.get("openai").acquire("sk-key", Cost.oneRequest()).release(null);
			assertThat(context.getBean(LlmThrottleEndpoint.class)
				.providers()
				.providers()
				.get("openai")
				.counts()
				.admitted()).isEqualTo(1);
		});
	}

	@Test
	void contributesHealthPerProvider() {
		this.runner.run((context) -> {
			CompositeHealthContributor health = context.getBean("llmThrottleHealthContributor",
					CompositeHealthContributor.class);
			assertThat(health.stream().map((entry) -> entry.name())).containsExactly("anthropic", "openai");
			assertThat(((HealthIndicator) health.getContributor("openai")).health().getStatus()).isEqualTo(Status.UP);
		});
	}

	@Test
	void keepsNoEndpointOrEventsUnlessExposed() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(LlmThrottleEndpoint.class)
			.doesNotHaveBean(LlmThrottleEndpointWebExtension.class)
			.doesNotHaveBean(LlmThrottleEventsEndpoint.class)
			.doesNotHaveBean(ThrottleEventRecorder.class)
			.hasSingleBean(ThrottleStatistics.class)
			.hasBean("llmThrottleHealthContributor"));
	}

	@Test
	void backsOffWithoutActuator() {
		this.runner.withPropertyValues(EXPOSE)
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
			.run((context) -> assertThat(context).hasSingleBean(LlmThrottlers.class)
				.doesNotHaveBean(LlmThrottleEndpoint.class)
				.doesNotHaveBean(LlmThrottleEventsEndpoint.class)
				.hasBean("llmThrottleHealthContributor"));
	}

	@Test
	void backsOffWithoutTheHealthModule() {
		this.runner.withPropertyValues(EXPOSE)
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasSingleBean(LlmThrottleEndpoint.class)
				.doesNotHaveBean("llmThrottleHealthContributor"));
	}

	@Test
	void backsOffWhenHealthIsSwitchedOff() {
		this.runner.withPropertyValues("management.health.llmthrottle.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("llmThrottleHealthContributor")
				.doesNotHaveBean(ThrottleStatistics.class));
	}

	@Test
	void backsOffWithoutThrottlers() {
		this.runner.withPropertyValues(EXPOSE, "llm.throttle.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(LlmThrottlers.class)
				.doesNotHaveBean(LlmThrottleEndpoint.class)
				.doesNotHaveBean(LlmThrottleEventsEndpoint.class)
				.doesNotHaveBean("llmThrottleHealthContributor"));
	}

	@Test
	void usesTheApplicationsBeansAndClock() {
		this.runner.withPropertyValues(EXPOSE).withUserConfiguration(Custom.class).run((context) -> {
			assertThat(context).getBean(ThrottleStatistics.class).isSameAs(context.getBean("customStatistics"));
			context.getBean(ThrottleEventRecorder.class).backendDegraded("openai", "test");
			assertThat(context.getBean(ThrottleEventRecorder.class).events("openai"))
				.extracting(ThrottleEvent::timestamp)
				.containsExactly(Custom.NOW);
		});
	}

	@Test
	void bindsEndpointSettings() {
		this.runner
			.withPropertyValues(EXPOSE, "management.endpoint.llmthrottle.partitions-shown=0",
					"management.endpoint.llmthrottleevents.capacity=2")
			.run((context) -> {
				assertThat(context.getBean(ThrottleEventRecorder.class).capacity()).isEqualTo(2);
				assertThat(context.getBean(LlmThrottleEndpoint.class).provider("openai").partitions().items())
					.isEmpty();
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class Custom {

		static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

		@Bean
		Clock clock() {
			return Clock.fixed(NOW, ZoneOffset.UTC);
		}

		@Bean
		ThrottleStatistics customStatistics(Clock clock) {
			return new ThrottleStatistics(clock);
		}

	}

}
