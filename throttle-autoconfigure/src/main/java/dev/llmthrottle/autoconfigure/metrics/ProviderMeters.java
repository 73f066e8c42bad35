package dev.llmthrottle.autoconfigure.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;

import dev.llmthrottle.autoconfigure.events.LimitTypes;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.ProviderThrottler;

/**
 * The meters of one provider in one registry, created once so that a listener callback is
 * a map lookup and an increment. Remembers every meter it registered so that
 * {@link #remove()} takes them all out again.
 */
final class ProviderMeters {

	private static final int MAX_OUTCOMES = 16;

	private static final String INPUT = Dimension.INPUT_TOKENS.id();

	private static final String OUTPUT = Dimension.OUTPUT_TOKENS.id();

	private final MeterRegistry registry;

	private final Tags tags;

	private final List<Meter> meters = new CopyOnWriteArrayList<>();

	private final Timer admissionWait;

	private final Counter admitted;

	private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

	private final Map<String, Counter> rateLimited = new ConcurrentHashMap<>();

	private final Map<String, Counter> limitsLearned = new ConcurrentHashMap<>();

	private final Counter estimatedInput;

	private final Counter estimatedOutput;

	private final Counter actualInput;

	private final Counter actualOutput;

	private final DistributionSummary inputError;

	private final DistributionSummary outputError;

	private final Counter cooldowns;

	private final Counter retries;

	private final Counter quotaExhausted;

	private final Counter backendDegraded;

	ProviderMeters(MeterRegistry registry, ProviderThrottler throttler) {
		this.registry = registry;
		this.tags = Tags.of(LlmThrottleMetrics.PROVIDER, throttler.name());
		this.admissionWait = add(Timer.builder(LlmThrottleMetrics.ADMISSION_WAIT)
			.description("Time admitted LLM calls waited for admission")
			.tags(this.tags)
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofMinutes(10))
			.register(registry));
		this.admitted = outcome(LlmThrottleMetrics.OUTCOME_ADMITTED);
		LlmThrottleMetrics.REJECTION_REASONS.forEach((reason) -> this.rejected.put(reason, outcome(reason)));
		LlmThrottleMetrics.LIMIT_TYPES
			.forEach((type) -> this.rateLimited.put(type, counter(LlmThrottleMetrics.RATE_LIMITED,
					"LLM responses refusing a call for a rate limit (429)", LlmThrottleMetrics.DIMENSION, type)));
		for (Dimension dimension : Dimension.values()) {
			this.limitsLearned.put(dimension.id(), counter(LlmThrottleMetrics.LIMITS_LEARNED,
					"Limits learned from the provider", LlmThrottleMetrics.DIMENSION, dimension.id()));
		}
		String estimated = "Estimated tokens of LLM calls settled with reported usage";
		String actual = "Actual tokens of LLM calls settled with reported usage";
		this.estimatedInput = counter(LlmThrottleMetrics.TOKENS_ESTIMATED, estimated, LlmThrottleMetrics.DIMENSION,
				INPUT);
		this.estimatedOutput = counter(LlmThrottleMetrics.TOKENS_ESTIMATED, estimated, LlmThrottleMetrics.DIMENSION,
				OUTPUT);
		this.actualInput = counter(LlmThrottleMetrics.TOKENS_ACTUAL, actual, LlmThrottleMetrics.DIMENSION, INPUT);
		this.actualOutput = counter(LlmThrottleMetrics.TOKENS_ACTUAL, actual, LlmThrottleMetrics.DIMENSION, OUTPUT);
		this.inputError = estimateError(INPUT);
		this.outputError = estimateError(OUTPUT);
		this.cooldowns = counter(LlmThrottleMetrics.COOLDOWNS, "Cooldowns set or extended", null, null);
		this.retries = counter(LlmThrottleMetrics.RETRIES, "Retries of refused LLM calls", null, null);
		this.quotaExhausted = counter(LlmThrottleMetrics.QUOTA_EXHAUSTED, "Quota-exhausted reports", null, null);
		this.backendDegraded = counter(LlmThrottleMetrics.BACKEND_DEGRADED,
				"Backend failures after which the failure policy applied", null, null);
		add(Gauge.builder(LlmThrottleMetrics.IN_FLIGHT, throttler, ProviderMeters::inFlight)
			.description("LLM calls in flight")
			.tags(this.tags)
			.strongReference(true)
			.register(registry));
		add(Gauge.builder(LlmThrottleMetrics.QUEUED, throttler, ProviderMeters::queued)
			.description("LLM calls waiting for admission")
			.tags(this.tags)
			.strongReference(true)
			.register(registry));
		add(Gauge.builder(LlmThrottleMetrics.CONCURRENCY_LIMIT, throttler, ProviderMeters::concurrencyLimit)
			.description("Calls allowed in flight at once: the lowest adaptive limit of the partitions in use "
					+ "under max-concurrent: auto, else the cap; 0 for none")
			.tags(this.tags)
			.strongReference(true)
			.register(registry));
		add(TimeGauge
			.builder(LlmThrottleMetrics.COOLDOWN_REMAINING, throttler, TimeUnit.NANOSECONDS,
					ProviderMeters::cooldownRemainingNanos)
			.description("Longest cooldown remaining in any partition")
			.tags(this.tags)
			.strongReference(true)
			.register(registry));
	}

	void admitted(long waitedNanos) {
		this.admitted.increment();
		this.admissionWait.record(waitedNanos, TimeUnit.NANOSECONDS);
	}

	void rejected(String reason) {
		Counter counter = this.rejected.get(reason);
		if (counter == null) {
			String effective = (this.rejected.size() < MAX_OUTCOMES) ? reason : "other";
			counter = this.rejected.computeIfAbsent(effective, this::outcome);
		}
		counter.increment();
	}

	void settled(Cost estimate, Cost actual) {
		this.estimatedInput.increment(estimate.inputTokens());
		this.estimatedOutput.increment(estimate.outputTokens());
		this.actualInput.increment(actual.inputTokens());
		this.actualOutput.increment(actual.outputTokens());
		this.inputError.record(Math.abs((double) estimate.inputTokens() - actual.inputTokens()));
		this.outputError.record(Math.abs((double) estimate.outputTokens() - actual.outputTokens()));
	}

	void cooldown() {
		this.cooldowns.increment();
	}

	void rateLimited(String limitType) {
		this.rateLimited.get(LimitTypes.normalize(limitType)).increment();
	}

	void retried() {
		this.retries.increment();
	}

	void limitLearned(Dimension dimension) {
		this.limitsLearned.get(dimension.id()).increment();
	}

	void quotaExhausted() {
		this.quotaExhausted.increment();
	}

	void backendDegraded() {
		this.backendDegraded.increment();
	}

	/** Removes every meter this provider registered. */
	void remove() {
		for (Meter meter : this.meters) {
			this.registry.remove(meter);
		}
		this.meters.clear();
	}

	private Counter outcome(String outcome) {
		return counter(LlmThrottleMetrics.CALLS, "LLM call admissions by outcome", LlmThrottleMetrics.OUTCOME, outcome);
	}

	private Counter counter(String name, String description, String tagKey, String tagValue) {
		Tags meterTags = (tagKey != null) ? this.tags.and(tagKey, tagValue) : this.tags;
		return add(Counter.builder(name).description(description).tags(meterTags).register(this.registry));
	}

	private DistributionSummary estimateError(String dimension) {
		return add(DistributionSummary.builder(LlmThrottleMetrics.TOKENS_ESTIMATE_ERROR)
			.description("Absolute difference between estimated and actual tokens per settled LLM call")
			.baseUnit("tokens")
			.tags(this.tags.and(LlmThrottleMetrics.DIMENSION, dimension))
			.register(this.registry));
	}

	private <M extends Meter> M add(M meter) {
		this.meters.add(meter);
		return meter;
	}

	private static double inFlight(ProviderThrottler throttler) {
		long sum = 0;
		for (Partition partition : throttler.partitions()) {
			sum += partition.snapshot().inFlight();
		}
		return sum;
	}

	/**
	 * The lowest limit over the partitions that measured a call under
	 * {@code max-concurrent: auto} (else the default partition's, or the fixed cap).
	 */
	private static double concurrencyLimit(ProviderThrottler throttler) {
		int lowest = Integer.MAX_VALUE;
		if (throttler.policy().autoConcurrent()) {
			for (Partition partition : throttler.partitions()) {
				if (!partition.observedLatency().isZero()) {
					lowest = Math.min(lowest, partition.concurrencyLimit());
				}
			}
		}
		return (lowest != Integer.MAX_VALUE) ? lowest : throttler.defaultPartition().concurrencyLimit();
	}

	private static double queued(ProviderThrottler throttler) {
		long sum = 0;
		for (Partition partition : throttler.partitions()) {
			sum += partition.snapshot().queued();
		}
		return sum;
	}

	private static double cooldownRemainingNanos(ProviderThrottler throttler) {
		long longest = 0;
		for (Partition partition : throttler.partitions()) {
			longest = Math.max(longest, partition.cooldownRemaining().toNanos());
		}
		return longest;
	}

}
