package dev.llmthrottle.autoconfigure;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.ConcurrencyDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpointAutoConfiguration;
import dev.llmthrottle.autoconfigure.metrics.LlmThrottleMetrics;
import dev.llmthrottle.autoconfigure.metrics.LlmThrottleMetricsAutoConfiguration;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code max-concurrent: auto} and {@code auto(N)}: binding, validation naming the
 * property, the actuator's description and the Micrometer gauge.
 */
class MaxConcurrentAutoTests {

	private static final String OPENAI = "llm.throttle.providers.openai.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all())
		.withConfiguration(AutoConfigurations.of(LlmThrottleEndpointAutoConfiguration.class,
				LlmThrottleMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
		.withUserConfiguration(VirtualTime.class)
		.withPropertyValues("management.endpoints.web.exposure.include=llmthrottle",
				OPENAI + "requests-per-minute=100");

	@Test
	void autoAdaptsWithNoBound() {
		this.runner.withPropertyValues(OPENAI + "max-concurrent=auto").run((context) -> {
			ThrottlePolicy policy = context.getBean(ProviderDefinitions.class).get("openai").policy();
			assertThat(policy.autoConcurrent()).isTrue();
			assertThat(policy.maxConcurrent()).isZero();
		});
	}

	@Test
	void autoWithABoundKeepsTheNumberAsTheUpperBound() {
		this.runner.withPropertyValues(OPENAI + "max-concurrent=AUTO( 12 )").run((context) -> {
			ThrottlePolicy policy = context.getBean(ProviderDefinitions.class).get("openai").policy();
			assertThat(policy.autoConcurrent()).isTrue();
			assertThat(policy.maxConcurrent()).isEqualTo(12);
		});
	}

	@Test
	void aNumberIsStillAFixedCap() {
		this.runner.withPropertyValues(OPENAI + "max-concurrent=4").run((context) -> {
			ThrottlePolicy policy = context.getBean(ProviderDefinitions.class).get("openai").policy();
			assertThat(policy.autoConcurrent()).isFalse();
			assertThat(policy.maxConcurrent()).isEqualTo(4);
			assertThat(context.getBean(LlmThrottleEndpoint.class).providers().providers().get("openai").concurrency())
				.isNull();
		});
	}

	@Test
	void badValuesFailAtStartupNamingTheProperty() {
		for (String bad : new String[] { "auto(0)", "auto(-3)", "0", "automatic", "auto()", "auto(99999999999)" }) {
			this.runner.withPropertyValues(OPENAI + "max-concurrent=" + bad)
				.run((context) -> assertThat(context.getStartupFailure()).as(bad)
					.isNotNull()
					.hasStackTraceContaining("llm.throttle.providers.openai.max-concurrent"));
		}
	}

	@Test
	void theLimitInForceIsShownInTheActuatorAndAsAGauge() {
		this.runner.withPropertyValues(OPENAI + "max-concurrent=auto(20)").run((context) -> {
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			LlmThrottlers throttlers = context.getBean(LlmThrottlers.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			LlmThrottleEndpoint endpoint = context.getBean(LlmThrottleEndpoint.class);
			ConcurrencyDescriptor before = endpoint.providers().providers().get("openai").concurrency();
			assertThat(before.bound()).isEqualTo(20);
			assertThat(before.limit()).isEqualTo(4);
			assertThat(before.latency()).isNull();
			assertThat(before.scope()).isEqualTo("instance");
			assertThat(registry.get(LlmThrottleMetrics.CONCURRENCY_LIMIT).tag("provider", "openai").gauge().value())
				.isEqualTo(4);
			Permit permit = throttlers.get("openai").defaultPartition().tryAcquire(Cost.oneRequest());
			time.advance(Duration.ofSeconds(2));
			permit.reportOutcome(Permit.Outcome.SUCCEEDED);
			permit.release(null);
			// 100/min x 2 s x 1.25 = 4.2: 5
			ConcurrencyDescriptor after = endpoint.providers().providers().get("openai").concurrency();
			assertThat(after.limit()).isEqualTo(5);
			assertThat(after.highestLimit()).isEqualTo(5);
			assertThat(after.partitionsMeasured()).isEqualTo(1);
			assertThat(after.latency()).isEqualTo("2s");
			assertThat(registry.get(LlmThrottleMetrics.CONCURRENCY_LIMIT).tag("provider", "openai").gauge().value())
				.isEqualTo(5);
			// a partition of its own (an API key) that measured a shorter latency: the
			// lowest limit is shown, the highest beside it
			Permit keyed = throttlers.get("openai").acquire("sk-other", Cost.oneRequest());
			time.advance(Duration.ofSeconds(1));
			keyed.release(null);
			ConcurrencyDescriptor two = endpoint.providers().providers().get("openai").concurrency();
			// 100/min x 1 s x 1.25 = 2.1: 3
			assertThat(two.limit()).isEqualTo(3);
			assertThat(two.highestLimit()).isEqualTo(5);
			assertThat(two.partitionsMeasured()).isEqualTo(2);
			assertThat(two.latency()).isEqualTo("1s");
			assertThat(registry.get(LlmThrottleMetrics.CONCURRENCY_LIMIT).tag("provider", "openai").gauge().value())
				.isEqualTo(3);
		});
	}

	@Test
	void aRuntimeChangeOfTheLimitsKeepsAutoAndItsBoundUnlessANumberIsGiven() {
		this.runner.withPropertyValues(OPENAI + "max-concurrent=auto").run((context) -> {
			LlmThrottleEndpoint endpoint = context.getBean(LlmThrottleEndpoint.class);
			LlmThrottlers throttlers = context.getBean(LlmThrottlers.class);
			endpoint.updateLimits("openai", 200L, null, null, null, null, null, null, null, false);
			assertThat(throttlers.get("openai").policy().autoConcurrent()).isTrue();
			assertThat(throttlers.get("openai").policy().maxConcurrent()).isZero();
			endpoint.updateLimits("openai", null, null, null, null, null, null, null, 3, false);
			assertThat(throttlers.get("openai").policy().autoConcurrent()).isFalse();
			assertThat(throttlers.get("openai").defaultPartition().concurrencyLimit()).isEqualTo(3);
		});
		this.runner.withPropertyValues(OPENAI + "max-concurrent=auto(7)").run((context) -> {
			context.getBean(LlmThrottleEndpoint.class)
				.updateLimits("openai", 300L, null, null, null, null, null, null, null, false);
			ThrottlePolicy policy = context.getBean(LlmThrottlers.class).get("openai").policy();
			assertThat(policy.autoConcurrent()).isTrue();
			assertThat(policy.maxConcurrent()).isEqualTo(7);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class VirtualTime {

		@Bean
		VirtualTimeSource ownTime() {
			return new VirtualTimeSource();
		}

	}

}
