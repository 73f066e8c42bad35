package dev.llmthrottle.autoconfigure;

import dev.llmthrottle.exchange.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

import dev.llmthrottle.autoconfigure.aop.LlmThrottledBeanPostProcessor;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.SystemTimeSource;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.protocol.Dialect;
import dev.llmthrottle.leaks.PermitLeakAllowed;

import static org.assertj.core.api.Assertions.assertThat;

class LlmThrottleAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all());

	@Test
	void beansAppearWithProperties() {
		this.runner
			.withPropertyValues("llm.throttle.providers.openai.requests-per-minute=500",
					"llm.throttle.providers.openai.tokens-per-minute=100000",
					"llm.throttle.providers.openai.max-concurrent=4")
			.run((context) -> {
				assertThat(context).hasSingleBean(TimeSource.class)
					.hasSingleBean(PartitionKeys.class)
					.hasSingleBean(ThrottlePolicyFactory.class)
					.hasSingleBean(ProviderDefinitions.class)
					.hasSingleBean(CompositeThrottleListener.class)
					.hasSingleBean(CurrentAdmission.class)
					.hasSingleBean(LlmThrottledBeanPostProcessor.class)
					.hasBean("llmThrottlers");
				assertThat(context.getBean(TimeSource.class)).isInstanceOf(SystemTimeSource.class);
				ThrottlePolicy policy = context.getBean(LlmThrottlers.class).get("openai").policy();
				assertThat(policy.limits()).containsExactly(Limit.perMinute(Dimension.REQUESTS, 500),
						Limit.perMinute(Dimension.TOKENS, 100_000));
				assertThat(policy.maxConcurrent()).isEqualTo(4);
			});
	}

	@Test
	void unsetValuesTakeBuiltInFallbacks() {
		this.runner.withPropertyValues("llm.throttle.providers.openai.requests-per-day=10000").run((context) -> {
			ProviderDefinition definition = context.getBean(ProviderDefinitions.class).get("openai");
			ThrottlePolicy policy = definition.policy();
			assertThat(policy.limits()).containsExactly(Limit.of(Dimension.REQUESTS, 10_000, Duration.ofDays(1)));
			assertThat(policy.maxConcurrent()).isZero();
			assertThat(policy.maxWait()).isEqualTo(ThrottlePolicy.DEFAULT_MAX_WAIT);
			assertThat(policy.maxQueue()).isEqualTo(ThrottlePolicy.DEFAULT_MAX_QUEUE);
			assertThat(policy.burst()).isZero();
			assertThat(policy.maxPartitions()).isEqualTo(ThrottlePolicy.DEFAULT_MAX_PARTITIONS);
			assertThat(definition.backend()).isEqualTo(Backend.MEMORY);
			assertThat(definition.dialect()).isEqualTo(Dialect.GENERIC);
			assertThat(definition.retry()).isEqualTo(RetryPolicy.DEFAULT);
			assertThat(definition.defaultCost()).isEqualTo(Cost.oneRequest());
		});
	}

	@Test
	void everyKeyBinds() {
		this.runner.withPropertyValues(
				"llm.throttle.providers.azure.base-url=https://a.openai.azure.com,https://b.openai.azure.com",
				"llm.throttle.providers.azure.input-tokens-per-minute=1000",
				"llm.throttle.providers.azure.output-tokens-per-minute=2000",
				"llm.throttle.providers.azure.tokens-per-day=3000000",
				"llm.throttle.providers.azure.limits[0].dimension=requests",
				"llm.throttle.providers.azure.limits[0].amount=10", "llm.throttle.providers.azure.limits[0].period=10s",
				"llm.throttle.providers.azure.max-wait=30s", "llm.throttle.providers.azure.max-queue=7",
				"llm.throttle.providers.azure.default-output-tokens=500", "llm.throttle.providers.azure.backend=memory",
				"llm.throttle.providers.azure.burst=2s", "llm.throttle.providers.azure.max-partitions=50",
				"llm.throttle.providers.azure.retry.max-attempts=5",
				"llm.throttle.providers.azure.retry.initial-backoff=1s",
				"llm.throttle.providers.azure.retry.max-backoff=20s",
				"llm.throttle.providers.azure.retry.max-retry-after=60s",
				"llm.throttle.providers.azure.retry.deadline=2m")
			.run((context) -> {
				ProviderDefinition definition = context.getBean(ProviderDefinitions.class).get("azure");
				assertThat(definition.baseUrls()).containsExactly(URI.create("https://a.openai.azure.com"),
						URI.create("https://b.openai.azure.com"));
				assertThat(definition.dialect()).isEqualTo(Dialect.AZURE);
				ThrottlePolicy policy = definition.policy();
				assertThat(policy.limits()).containsExactly(Limit.perMinute(Dimension.INPUT_TOKENS, 1000),
						Limit.perMinute(Dimension.OUTPUT_TOKENS, 2000),
						Limit.of(Dimension.TOKENS, 3_000_000, Duration.ofDays(1)),
						Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(10)));
				assertThat(policy.maxWait()).isEqualTo(Duration.ofSeconds(30));
				assertThat(policy.maxQueue()).isEqualTo(7);
				assertThat(policy.burst()).isEqualTo(Duration.ofSeconds(2));
				assertThat(policy.maxPartitions()).isEqualTo(50);
				assertThat(definition.defaultCost()).isEqualTo(Cost.of(0, 500));
				assertThat(definition.retry()).isEqualTo(new RetryPolicy(5, Duration.ofSeconds(1),
						Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofMinutes(2)));
			});
	}

	@Test
	void dialectIsInferredFromWellKnownHostsUnlessSet() {
		this.runner.withPropertyValues("llm.throttle.providers.openai.base-url=https://api.openai.com/v1",
				"llm.throttle.providers.openai.requests-per-minute=1",
				"llm.throttle.providers.claude.base-url=https://api.anthropic.com",
				"llm.throttle.providers.claude.requests-per-minute=1",
				"llm.throttle.providers.proxy.base-url=https://api.openai.com/v1",
				"llm.throttle.providers.proxy.dialect=generic", "llm.throttle.providers.proxy.requests-per-minute=1")
			.run((context) -> {
				ProviderDefinitions definitions = context.getBean(ProviderDefinitions.class);
				assertThat(definitions.get("openai").dialect()).isEqualTo(Dialect.OPENAI);
				assertThat(definitions.get("claude").dialect()).isEqualTo(Dialect.ANTHROPIC);
				assertThat(definitions.get("proxy").dialect()).isEqualTo(Dialect.GENERIC);
			});
	}

	@Test
	void defaultsAreMergedAndProviderValuesWin() {
		this.runner
			.withPropertyValues("llm.throttle.defaults.requests-per-minute=100", "llm.throttle.defaults.max-wait=5s",
					"llm.throttle.defaults.max-concurrent=2", "llm.throttle.defaults.retry.max-attempts=4",
					"llm.throttle.defaults.limits[0].dimension=requests", "llm.throttle.defaults.limits[0].amount=10",
					"llm.throttle.defaults.limits[0].period=1s", "llm.throttle.providers.a.tokens-per-minute=1000",
					"llm.throttle.providers.a.max-wait=10s", "llm.throttle.providers.a.retry.deadline=1m",
					"llm.throttle.providers.b.requests-per-minute=50",
					"llm.throttle.providers.b.limits[0].dimension=tokens",
					"llm.throttle.providers.b.limits[0].amount=5", "llm.throttle.providers.b.limits[0].period=1s")
			.run((context) -> {
				ProviderDefinitions definitions = context.getBean(ProviderDefinitions.class);
				ProviderDefinition a = definitions.get("a");
				assertThat(a.policy().limits()).containsExactly(Limit.perMinute(Dimension.REQUESTS, 100),
						Limit.perMinute(Dimension.TOKENS, 1000),
						Limit.of(Dimension.REQUESTS, 10, Duration.ofSeconds(1)));
				assertThat(a.policy().maxWait()).isEqualTo(Duration.ofSeconds(10));
				assertThat(a.policy().maxConcurrent()).isEqualTo(2);
				assertThat(a.retry().maxAttempts()).isEqualTo(4);
				assertThat(a.retry().deadline()).isEqualTo(Duration.ofMinutes(1));
				ProviderDefinition b = definitions.get("b");
				// b's own list of limits replaces the default list; its own rate key wins
				// over the default one
				assertThat(b.policy().limits()).containsExactly(Limit.perMinute(Dimension.REQUESTS, 50),
						Limit.of(Dimension.TOKENS, 5, Duration.ofSeconds(1)));
				assertThat(b.policy().maxWait()).isEqualTo(Duration.ofSeconds(5));
				assertThat(b.retry().deadline()).isNull();
			});
	}

	@Test
	void unlimitedProviderHasNoLimit() {
		this.runner.withPropertyValues("llm.throttle.providers.local.unlimited=true").run((context) -> {
			ThrottlePolicy policy = context.getBean(LlmThrottlers.class).get("local").policy();
			assertThat(policy.limits()).isEmpty();
			assertThat(policy.maxConcurrent()).isZero();
		});
	}

	@Test
	void noProvidersGiveAnEmptyRegistry() {
		this.runner.run((context) -> assertThat(context.getBean(LlmThrottlers.class).names()).isEmpty());
	}

	@Test
	void disabledByProperty() {
		this.runner
			.withPropertyValues("llm.throttle.enabled=false", "llm.throttle.providers.openai.requests-per-minute=0")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(LlmThrottlers.class)
				.doesNotHaveBean(TimeSource.class)
				.doesNotHaveBean(LlmThrottleProperties.class)
				.doesNotHaveBean(LlmThrottledBeanPostProcessor.class)
				.doesNotHaveBean(CompositeThrottleListener.class));
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnBeans() {
		this.runner.withUserConfiguration(OwnBeans.class)
			.withPropertyValues("llm.throttle.providers.openai.requests-per-minute=5")
			.run((context) -> {
				assertThat(context).hasSingleBean(LlmThrottlers.class)
					.hasSingleBean(TimeSource.class)
					.hasSingleBean(PartitionKeys.class)
					.hasSingleBean(CurrentAdmission.class)
					.hasSingleBean(ThrottlePolicyFactory.class)
					.hasSingleBean(ProviderDefinitions.class);
				assertThat(context.getBean(LlmThrottlers.class)).isSameAs(context.getBean("ownThrottlers"));
				assertThat(context.getBean(TimeSource.class)).isSameAs(context.getBean("ownTime"));
				assertThat(context.getBean(PartitionKeys.class)).isSameAs(context.getBean("ownKeys"));
				assertThat(context.getBean(CurrentAdmission.class)).isSameAs(context.getBean("ownAdmission"));
				assertThat(context.getBean(ThrottlePolicyFactory.class)).isSameAs(context.getBean("ownFactory"));
			});
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void throttlersUseTheApplicationsTimeSource() {
		this.runner.withUserConfiguration(VirtualTime.class)
			.withPropertyValues("llm.throttle.providers.openai.requests-per-minute=60")
			.run((context) -> {
				VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
				LlmThrottlers throttlers = context.getBean(LlmThrottlers.class);
				throttlers.get("openai").defaultPartition().tryAcquire(Cost.oneRequest()).release(null);
				assertThat(throttlers.get("openai").defaultPartition().tryAcquire(Cost.oneRequest())).isNull();
				time.advance(Duration.ofSeconds(2));
				assertThat(throttlers.get("openai").defaultPartition().tryAcquire(Cost.oneRequest())).isNotNull();
			});
	}

	@Test
	void listenerBeansHearTheThrottlers() {
		this.runner.withUserConfiguration(RecordingListenerConfiguration.class)
			.withPropertyValues("llm.throttle.providers.openai.requests-per-minute=5")
			.run((context) -> {
				RecordingListener recording = context.getBean(RecordingListener.class);
				assertThat(context.getBean(CompositeThrottleListener.class).delegates()).containsExactly(recording);
				Permit permit = context.getBean(LlmThrottlers.class)
					.get("openai")
					.defaultPartition()
					.tryAcquire(Cost.oneRequest());
				permit.release(null);
				assertThat(recording.events).containsExactly("admitted openai", "released openai");
			});
	}

	@Test
	void configuredSecretHashesKeysTheSameWayInEveryInstance() {
		String secret = "llm.throttle.partition-key-secret=0123456789abcdef0123";
		List<String> hashes = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			this.runner.withPropertyValues(secret)
				.run((context) -> hashes.add(context.getBean(PartitionKeys.class).hash("tenant-1")));
		}
		assertThat(hashes.get(0)).isEqualTo(hashes.get(1)).doesNotContain("tenant-1");
	}

	@Test
	void timeSourceIsClosedWithTheContext() {
		List<SystemTimeSource> sources = new ArrayList<>();
		this.runner.run((context) -> sources.add((SystemTimeSource) context.getBean(TimeSource.class)));
		// a closed scheduler refuses new tasks
		org.assertj.core.api.Assertions.assertThatExceptionOfType(java.util.concurrent.RejectedExecutionException.class)
			.isThrownBy(() -> sources.get(0).schedule(() -> {
			}, 1));
	}

	@Test
	void generatedMetadataDescribesTheProviders() throws IOException {
		ClassPathResource metadata = new ClassPathResource("META-INF/spring-configuration-metadata.json");
		assertThat(metadata.exists()).isTrue();
		String json;
		try (InputStream in = metadata.getInputStream()) {
			json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		assertThat(json).contains("\"name\": \"llm.throttle.providers\"")
			.contains("Providers by name")
			.contains("\"name\": \"llm.throttle.defaults.requests-per-minute\"")
			.contains("\"name\": \"llm.throttle.defaults.retry.max-attempts\"")
			.contains("\"name\": \"llm.throttle.enabled\"")
			.contains("Whether to throttle LLM calls");
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnBeans {

		@Bean
		LlmThrottlers ownThrottlers() {
			return new LlmThrottlers(List.of());
		}

		@Bean
		TimeSource ownTime() {
			return new VirtualTimeSource();
		}

		@Bean
		PartitionKeys ownKeys() {
			return new PartitionKeys("0123456789abcdef".getBytes(StandardCharsets.UTF_8));
		}

		@Bean
		CurrentAdmission ownAdmission() {
			return new CurrentAdmission();
		}

		@Bean
		ThrottlePolicyFactory ownFactory() {
			return new ThrottlePolicyFactory();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class VirtualTime {

		@Bean
		VirtualTimeSource virtualTime() {
			return new VirtualTimeSource();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListenerConfiguration {

		@Bean
		RecordingListener recordingListener() {
			return new RecordingListener();
		}

	}

	static class RecordingListener implements ThrottleListener {

		final List<String> events = new ArrayList<>();

		@Override
		public void admitted(String provider, String partition, Cost cost, long waitedNanos) {
			this.events.add("admitted " + provider);
		}

		@Override
		public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
			this.events.add("released " + provider);
		}

	}

}
