package dev.llmthrottle.autoconfigure.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.QueueFullException;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@Timeout(30)
class LlmThrottleMeterBinderTests {

	private static final String CANARY = "sk-test-CANARY-1234567890";

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final List<ProviderThrottler> throttlers = new ArrayList<>();

	private final LlmThrottleMeterBinder binder = new LlmThrottleMeterBinder(() -> this.throttlers);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final ProviderThrottler openai = throttler(ThrottlePolicy
		.of("openai", 1, Limit.perMinute(Dimension.REQUESTS, 100), Limit.perMinute(Dimension.TOKENS, 10_000))
		.withBurst(Duration.ofMinutes(1))
		.withMaxQueue(1)
		.withMaxWait(Duration.ofSeconds(10)));

	private final ProviderThrottler anthropic = throttler(
			ThrottlePolicy.of("anthropic", 0, Limit.perMinute(Dimension.REQUESTS, 50)));

	@Test
	void countsAKnownSequenceOfCalls() throws Exception {
		this.binder.bindTo(this.registry);
		Permit first = this.openai.acquire(CANARY, Cost.of(100, 50));
		CompletableFuture<Permit> second = this.openai.acquireAsync(CANARY, Cost.of(10, 10));
		assertThat(gauge(LlmThrottleMetrics.IN_FLIGHT)).isEqualTo(1);
		assertThat(gauge(LlmThrottleMetrics.QUEUED)).isEqualTo(1);
		assertThatExceptionOfType(QueueFullException.class)
			.isThrownBy(() -> this.openai.acquire(CANARY, Cost.oneRequest()));
		this.time.advance(Duration.ofSeconds(2));
		first.release(Cost.of(80, 70));
		assertThat(second).isCompleted();
		Permit granted = second.getNow(null);
		assertThat(gauge(LlmThrottleMetrics.IN_FLIGHT)).isEqualTo(1);
		assertThat(gauge(LlmThrottleMetrics.QUEUED)).isZero();
		this.openai.partition(CANARY).coolDown(Duration.ofSeconds(30), "HTTP 429 (tokens), retry after 30000 ms");
		String key = this.openai.partition(CANARY).key();
		this.binder.rateLimited("openai", key, "tokens", Duration.ofSeconds(30));
		this.binder.rateLimited("openai", key, "TOKENS", null);
		this.binder.rateLimited("openai", key, "no-such-type", null);
		this.binder.retried("openai", key, 2, Duration.ofSeconds(30));
		this.binder.limitLearned("openai", key, Limit.perMinute(Dimension.INPUT_TOKENS, 40_000));
		this.binder.quotaExhausted("openai", key, "insufficient_quota");
		this.binder.backendDegraded("openai", "redis down");
		this.time.advance(Duration.ofSeconds(10));
		granted.release(null);

		assertThat(calls("admitted")).isEqualTo(2);
		assertThat(calls("queue-full")).isEqualTo(1);
		assertThat(calls("max-wait")).isZero();
		Timer wait = this.registry.get(LlmThrottleMetrics.ADMISSION_WAIT).tag("provider", "openai").timer();
		assertThat(wait.count()).isEqualTo(2);
		assertThat(wait.max(TimeUnit.SECONDS)).isEqualTo(2.0);
		assertThat(wait.totalTime(TimeUnit.SECONDS)).isEqualTo(2.0);
		assertThat(dimensionCounter(LlmThrottleMetrics.TOKENS_ESTIMATED, "input-tokens")).isEqualTo(100);
		assertThat(dimensionCounter(LlmThrottleMetrics.TOKENS_ESTIMATED, "output-tokens")).isEqualTo(50);
		assertThat(dimensionCounter(LlmThrottleMetrics.TOKENS_ACTUAL, "input-tokens")).isEqualTo(80);
		assertThat(dimensionCounter(LlmThrottleMetrics.TOKENS_ACTUAL, "output-tokens")).isEqualTo(70);
		var inputError = this.registry.get(LlmThrottleMetrics.TOKENS_ESTIMATE_ERROR)
			.tags("provider", "openai", "dimension", "input-tokens")
			.summary();
		assertThat(inputError.count()).isEqualTo(1);
		assertThat(inputError.totalAmount()).isEqualTo(20);
		assertThat(dimensionCounter(LlmThrottleMetrics.RATE_LIMITED, "tokens")).isEqualTo(2);
		assertThat(dimensionCounter(LlmThrottleMetrics.RATE_LIMITED, "unknown")).isEqualTo(1);
		assertThat(dimensionCounter(LlmThrottleMetrics.RATE_LIMITED, "requests")).isZero();
		assertThat(dimensionCounter(LlmThrottleMetrics.LIMITS_LEARNED, "input-tokens")).isEqualTo(1);
		assertThat(counter(LlmThrottleMetrics.COOLDOWNS)).isEqualTo(1);
		assertThat(counter(LlmThrottleMetrics.RETRIES)).isEqualTo(1);
		assertThat(counter(LlmThrottleMetrics.QUOTA_EXHAUSTED)).isEqualTo(1);
		assertThat(counter(LlmThrottleMetrics.BACKEND_DEGRADED)).isEqualTo(1);
		assertThat(this.registry.get(LlmThrottleMetrics.COOLDOWN_REMAINING)
			.tag("provider", "openai")
			.timeGauge()
			.value(TimeUnit.SECONDS)).isEqualTo(20.0);
		assertThat(gauge(LlmThrottleMetrics.IN_FLIGHT)).isZero();
		assertThat(this.registry.get(LlmThrottleMetrics.CALLS)
			.tags("provider", "anthropic", "outcome", "admitted")
			.counter()
			.count()).isZero();
	}

	@Test
	void tagsAreOnlyProviderOutcomeAndDimension() throws Exception {
		this.binder.bindTo(this.registry);
		this.openai.acquire(CANARY, Cost.of(10, 10)).release(Cost.of(5, 5));
		String key = this.openai.partition(CANARY).key();
		this.openai.partition(CANARY).coolDown(Duration.ofSeconds(1), "echo " + CANARY);
		this.binder.rateLimited("openai", key, CANARY, Duration.ofSeconds(1));
		this.binder.quotaExhausted("openai", key, CANARY);
		assertThat(this.registry.getMeters()).isNotEmpty().allSatisfy((meter) -> {
			assertThat(meter.getId().getName()).startsWith("llm.throttle.");
			assertThat(meter.getId().getTags()).extracting(Tag::getKey)
				.isSubsetOf(Set.of("provider", "outcome", "dimension"));
			assertThat(meter.getId().toString()).doesNotContain("CANARY").doesNotContain(key);
		});
		assertThat(this.registry.getMeters().stream().map((meter) -> meter.getId().getName()).distinct())
			.containsExactlyInAnyOrderElementsOf(LlmThrottleMetrics.NAMES);
	}

	@Test
	void removingAProviderRemovesItsMetersAndStopsCountingIt() throws Exception {
		this.binder.bindTo(this.registry);
		this.openai.acquire(null, Cost.oneRequest()).release(null);
		this.binder.removeProvider("openai");
		assertThat(providerMeters("openai")).isEmpty();
		assertThat(providerMeters("anthropic")).isNotEmpty();
		this.openai.acquire(null, Cost.oneRequest()).release(Cost.of(1, 1));
		this.binder.retried("openai", "default", 2, Duration.ZERO);
		assertThat(providerMeters("openai")).isEmpty();
		this.binder.removeProvider("openai");
		this.binder.removeProvider("never-configured");
	}

	@Test
	void ignoresEventsBeforeBindingAndOfUnknownProviders() throws Exception {
		this.openai.acquire(null, Cost.oneRequest()).release(null);
		this.binder.retried("unknown", "default", 2, Duration.ZERO);
		this.binder.bindTo(this.registry);
		this.binder.retried("unknown", "default", 2, Duration.ZERO);
		assertThat(calls("admitted")).isZero();
		assertThat(providerMeters("unknown")).isEmpty();
	}

	@Test
	void countsInEveryRegistryItIsBoundTo() throws Exception {
		SimpleMeterRegistry other = new SimpleMeterRegistry();
		this.binder.bindTo(this.registry);
		this.binder.bindTo(other);
		this.openai.acquire(null, Cost.oneRequest()).release(null);
		assertThat(calls("admitted")).isEqualTo(1);
		assertThat(
				other.get(LlmThrottleMetrics.CALLS).tags("provider", "openai", "outcome", "admitted").counter().count())
			.isEqualTo(1);
		this.binder.removeProvider("openai");
		assertThat(other.find(LlmThrottleMetrics.CALLS).tag("provider", "openai").meters()).isEmpty();
	}

	private ProviderThrottler throttler(ThrottlePolicy policy) {
		ProviderThrottler throttler = new ProviderThrottler(policy, this.time, PartitionKeys.withRandomSecret(),
				this.binder);
		this.throttlers.add(throttler);
		return throttler;
	}

	private List<Meter> providerMeters(String provider) {
		return this.registry.getMeters()
			.stream()
			.filter((meter) -> provider.equals(meter.getId().getTag("provider")))
			.toList();
	}

	private double gauge(String name) {
		return this.registry.get(name).tag("provider", "openai").gauge().value();
	}

	private double calls(String outcome) {
		return this.registry.get(LlmThrottleMetrics.CALLS)
			.tags("provider", "openai", "outcome", outcome)
			.counter()
			.count();
	}

	private double counter(String name) {
		return this.registry.get(name).tag("provider", "openai").counter().count();
	}

	private double dimensionCounter(String name, String dimension) {
		return this.registry.get(name).tags("provider", "openai", "dimension", dimension).counter().count();
	}

}
