package dev.llmthrottle.autoconfigure.actuate;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggerConfiguration;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llmthrottle.autoconfigure.CompositeThrottleListener;
import dev.llmthrottle.autoconfigure.JdkLoggingBridge;
import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.autoconfigure.ThrottleListenerAutoConfiguration;
import dev.llmthrottle.autoconfigure.ThrottleSupportAutoConfiguration;
import dev.llmthrottle.autoconfigure.events.VirtualClock;
import dev.llmthrottle.autoconfigure.metrics.LlmThrottleMetricsAutoConfiguration;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A canary API key used as a partition key, and echoed in provider messages, through
 * admissions, rejections, a cooldown, 429s and a runtime change, with DEBUG logging: it
 * appears nowhere we produce (endpoint JSON, events, health, meter ids, logs, exception
 * messages).
 */
@ExtendWith({ JdkLoggingBridge.class, OutputCaptureExtension.class })
@Timeout(30)
class SecretsCanaryTests {

	private static final String CANARY = "sk-test-CANARY-1234567890";

	private final LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());

	private final JsonMapper json = JsonMapper.builder().build();

	private LogLevel rootLevel;

	@BeforeEach
	void debugEverything() {
		LoggerConfiguration root = this.logging.getLoggerConfiguration(LoggingSystem.ROOT_LOGGER_NAME);
		this.rootLevel = (root != null) ? root.getConfiguredLevel() : null;
		this.logging.setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, LogLevel.DEBUG);
	}

	@AfterEach
	void restoreLogging() {
		this.logging.setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, this.rootLevel);
	}

	@Test
	void theCanaryAppearsNowhere(CapturedOutput output) {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ThrottleSupportAutoConfiguration.class,
					ThrottleListenerAutoConfiguration.class, LlmThrottleAutoConfiguration.class,
					MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, LlmThrottleMetricsAutoConfiguration.class,
					LlmThrottleEndpointAutoConfiguration.class, LlmThrottleEventsEndpointAutoConfiguration.class,
					LlmThrottleHealthContributorAutoConfiguration.class))
			.withUserConfiguration(VirtualTime.class)
			.withPropertyValues("management.endpoints.web.exposure.include=*",
					"llm.throttle.providers.openai.requests-per-minute=60",
					"llm.throttle.providers.openai.tokens-per-minute=10000",
					"llm.throttle.providers.openai.max-concurrent=1", "llm.throttle.providers.openai.max-queue=1",
					"llm.throttle.providers.openai.max-wait=2s", "llm.throttle.providers.openai.burst=1m")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				List<String> produced = new ArrayList<>();
				runTraffic(context, produced);
				produced.add(this.json.writeValueAsString(context.getBean(LlmThrottleEndpoint.class).providers()));
				produced
					.add(this.json.writeValueAsString(context.getBean(LlmThrottleEndpoint.class).provider("openai")));
				produced.add(this.json.writeValueAsString(context.getBean(LlmThrottleEventsEndpoint.class).events()));
				CompositeHealthContributor health = context.getBean("llmThrottleHealthContributor",
						CompositeHealthContributor.class);
				produced.add(this.json
					.writeValueAsString(((HealthIndicator) health.getContributor("openai")).health().getDetails()));
				context.getBean(MeterRegistry.class)
					.getMeters()
					.forEach((meter) -> produced.add(meter.getId().toString()));
				assertThat(String.join("\n", produced)).contains("queue-full", "max-wait", "too-large", "cooldown",
						"rate-limited", "[REDACTED]");
				assertThat(produced).allSatisfy((text) -> assertThat(text).doesNotContain("CANARY"));
			});
		assertThat(output).contains("DEBUG").contains("changed at runtime");
		assertThat(output.getAll()).doesNotContain("CANARY");
	}

	private void runTraffic(ApplicationContext context, List<String> produced) throws Exception {
		VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
		ProviderThrottler openai = context.getBean(LlmThrottlers.class).get("openai");
		Partition partition = openai.partition(CANARY);
		Permit first = openai.acquire(CANARY, Cost.of(100, 100));
		first.release(Cost.of(90, 120));
		Permit held = openai.acquire(CANARY, Cost.of(10, 10));
		CompletableFuture<Permit> waiting = openai.acquireAsync(CANARY, Cost.of(10, 10));
		produced.add(rejection(() -> openai.acquire(CANARY, Cost.oneRequest())));
		produced.add(rejection(() -> openai.acquire(CANARY, Cost.of(20_000, 0))));
		time.advance(Duration.ofSeconds(3));
		produced.add(rejection(waiting::join));
		// a provider message that echoes the key, passed along as the cooldown reason and
		// in 429 feedback
		partition.coolDown(Duration.ofSeconds(40), "HTTP 429: rate limit for key " + CANARY);
		for (ThrottleListener listener : context.getBean(CompositeThrottleListener.class).delegates()) {
			listener.rateLimited("openai", partition.key(), "tokens", Duration.ofSeconds(40));
			listener.retried("openai", partition.key(), 2, Duration.ofSeconds(40));
			listener.limitLearned("openai", partition.key(), Limit.perMinute(Dimension.TOKENS, 9000));
			listener.quotaExhausted("openai", partition.key(), "Incorrect API key provided: " + CANARY);
			listener.backendDegraded("openai", "AUTH failed with password=" + CANARY);
		}
		held.release(null);
		LlmThrottleEndpoint endpoint = context.getBean(LlmThrottleEndpoint.class);
		produced.add(rejection(
				() -> endpoint.updateLimits("openai", null, null, null, null, null, null, CANARY, null, null)));
		produced.add(rejection(() -> endpoint.updateLimits("openai", null, null, null, null, null, null,
				"5 requests per " + CANARY, null, null)));
		produced.add(rejection(() -> endpoint.updateLimits(CANARY, 1L, null, null, null, null, null, null, null, null))
			.replace(CANARY, "<the provider name given>"));
		endpoint.updateLimits("openai", 30L, null, null, null, null, null, null, null, null);
	}

	private static String rejection(ThrowingCall call) throws Exception {
		try {
			call.run();
		}
		catch (RuntimeException ex) {
			StringBuilder messages = new StringBuilder();
			for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
				messages.append(cause).append('\n');
			}
			return messages.toString();
		}
		throw new AssertionError("expected a rejection");
	}

	private interface ThrowingCall {

		void run() throws Exception;

	}

	@Configuration(proxyBeanMethods = false)
	static class VirtualTime {

		@Bean
		VirtualTimeSource timeSource() {
			return new VirtualTimeSource();
		}

		@Bean
		Clock clock(TimeSource timeSource) {
			return new VirtualClock((VirtualTimeSource) timeSource);
		}

	}

}
