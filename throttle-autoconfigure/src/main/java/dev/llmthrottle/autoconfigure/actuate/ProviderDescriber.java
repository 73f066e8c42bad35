package dev.llmthrottle.autoconfigure.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.ConcurrencyDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.CooldownDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.CountsDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.LimitDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.MarkerDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.PartitionDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.PartitionLimitDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.PartitionsDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.ProviderDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.ProviderDetailsDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.QuotaDescriptor;
import dev.llmthrottle.autoconfigure.actuate.LlmThrottleEndpoint.TokensDescriptor;
import dev.llmthrottle.autoconfigure.actuate.ThrottleStatistics.Marker;
import dev.llmthrottle.autoconfigure.actuate.ThrottleStatistics.ProviderActivity;
import dev.llmthrottle.autoconfigure.events.DurationText;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.PartitionSnapshot.LimitState;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.protocol.SecretRedactor;

/**
 * Builds the {@code llmthrottle} endpoint's descriptors from a throttler's partition
 * snapshots, the counted activity and the provider's definition. Only hashed partition
 * keys are read; free text is redacted.
 */
final class ProviderDescriber {

	private static final int MAX_TEXT_LENGTH = 200;

	private final ThrottleStatistics statistics;

	private final ProviderDefinitions definitions;

	private final Clock clock;

	private final int partitionsShown;

	ProviderDescriber(ThrottleStatistics statistics, ProviderDefinitions definitions, Clock clock,
			int partitionsShown) {
		this.statistics = statistics;
		this.definitions = definitions;
		this.clock = clock;
		this.partitionsShown = partitionsShown;
	}

	ProviderDescriptor describe(ProviderThrottler throttler) {
		return describe(throttler, snapshots(throttler));
	}

	ProviderDetailsDescriptor describeWithPartitions(ProviderThrottler throttler) {
		List<PartitionSnapshot> snapshots = snapshots(throttler);
		Instant now = this.clock.instant();
		List<PartitionSnapshot> sorted = new ArrayList<>(snapshots);
		sorted.sort(INTEREST);
		List<PartitionDescriptor> shown = sorted.stream()
			.limit(this.partitionsShown)
			.map((snapshot) -> partition(snapshot, now))
			.toList();
		return new ProviderDetailsDescriptor(throttler.name(), describe(throttler, snapshots),
				new PartitionsDescriptor(snapshots.size(), shown.size(), shown));
	}

	private ProviderDescriptor describe(ProviderThrottler throttler, List<PartitionSnapshot> snapshots) {
		Instant now = this.clock.instant();
		ThrottlePolicy policy = throttler.policy();
		ProviderDefinition definition = (this.definitions != null)
				? this.definitions.find(throttler.name()).orElse(null) : null;
		ProviderActivity activity = (this.statistics != null) ? this.statistics.activity(throttler.name()) : null;
		PartitionSnapshot defaultSnapshot = snapshots.stream()
			.filter((snapshot) -> PartitionKeys.DEFAULT.equals(snapshot.key()))
			.findFirst()
			.orElseGet(() -> throttler.defaultPartition().snapshot());
		int inFlight = 0;
		int queued = 0;
		int cooling = 0;
		PartitionSnapshot longestCooldown = null;
		for (PartitionSnapshot snapshot : snapshots) {
			inFlight += snapshot.inFlight();
			queued += snapshot.queued();
			if (snapshot.cooldownRemaining().compareTo(Duration.ZERO) > 0) {
				cooling++;
				if (longestCooldown == null
						|| snapshot.cooldownRemaining().compareTo(longestCooldown.cooldownRemaining()) > 0) {
					longestCooldown = snapshot;
				}
			}
		}
		CooldownDescriptor cooldown = (longestCooldown != null) ? cooldown(longestCooldown, now, cooling) : null;
		return new ProviderDescriptor(
				(definition != null) ? definition.backend().name().toLowerCase(Locale.ROOT) : null,
				(definition != null) ? definition.dialect().id() : null, policy.maxConcurrent(),
				DurationText.format(policy.maxWait()), policy.maxQueue(), DurationText.format(policy.burst()),
				limits(policy, defaultSnapshot, snapshots, activity), inFlight, queued, snapshots.size(), cooldown,
				quota(activity), marker(activity), counts(activity), guard(widestGuard(snapshots, defaultSnapshot)),
				concurrency(throttler));
	}

	/**
	 * {@code max-concurrent: auto} in this instance, over the partitions that measured a
	 * call (the default partition while none has), or null for a fixed cap.
	 */
	private static ConcurrencyDescriptor concurrency(ProviderThrottler throttler) {
		ThrottlePolicy policy = throttler.policy();
		if (!policy.autoConcurrent()) {
			return null;
		}
		Partition lowest = null;
		int highest = 0;
		int measured = 0;
		for (Partition partition : throttler.partitions()) {
			if (partition.observedLatency().isZero()) {
				continue;
			}
			measured++;
			int limit = partition.concurrencyLimit();
			highest = Math.max(highest, limit);
			if (lowest == null || limit < lowest.concurrencyLimit()) {
				lowest = partition;
			}
		}
		if (lowest == null) {
			lowest = throttler.defaultPartition();
			highest = lowest.concurrencyLimit();
		}
		Duration latency = lowest.observedLatency();
		return new ConcurrencyDescriptor((policy.maxConcurrent() > 0) ? policy.maxConcurrent() : null,
				lowest.concurrencyLimit(), highest, latency.isZero() ? null : DurationText.format(latency), measured,
				"instance");
	}

	private static List<PartitionSnapshot> snapshots(ProviderThrottler throttler) {
		List<PartitionSnapshot> snapshots = new ArrayList<>();
		for (Partition partition : throttler.partitions()) {
			snapshots.add(partition.snapshot());
		}
		return snapshots;
	}

	/**
	 * One row per limit: those configured, in configuration order, then any other limit
	 * in force in the default partition or learned from the provider.
	 */
	private static List<LimitDescriptor> limits(ThrottlePolicy policy, PartitionSnapshot defaultSnapshot,
			List<PartitionSnapshot> snapshots, ProviderActivity activity) {
		Map<String, Limit> rows = new LinkedHashMap<>();
		policy.limits().forEach((limit) -> rows.putIfAbsent(identity(limit), limit));
		defaultSnapshot.limits().forEach((state) -> rows.putIfAbsent(identity(state.limit()), state.limit()));
		if (activity != null) {
			activity.learnedLimits().forEach((limit) -> rows.putIfAbsent(identity(limit), limit));
		}
		List<LimitDescriptor> result = new ArrayList<>(rows.size());
		for (Map.Entry<String, Limit> row : rows.entrySet()) {
			Limit any = row.getValue();
			Limit configured = find(policy.limits(), any.dimension(), any.period());
			LimitState current = state(defaultSnapshot, any.dimension(), any.period());
			Limit learned = (activity != null) ? find(activity.learnedLimits(), any.dimension(), any.period()) : null;
			Long minAvailable = null;
			for (PartitionSnapshot snapshot : snapshots) {
				LimitState state = state(snapshot, any.dimension(), any.period());
				if (state != null && (minAvailable == null || state.available() < minAvailable)) {
					minAvailable = state.available();
				}
			}
			result.add(new LimitDescriptor(any.dimension().id(), DurationText.format(any.period()),
					(configured != null) ? configured.amount() : null,
					(current != null) ? current.limit().amount() : null, (learned != null) ? learned.amount() : null,
					(current != null) ? current.used() : null, (current != null) ? current.available() : null,
					minAvailable, policy.enforcementFor(any).id()));
		}
		return result;
	}

	private PartitionDescriptor partition(PartitionSnapshot snapshot, Instant now) {
		List<PartitionLimitDescriptor> limits = snapshot.limits()
			.stream()
			.map((state) -> new PartitionLimitDescriptor(state.limit().dimension().id(),
					DurationText.format(state.limit().period()), state.limit().amount(), state.used(),
					state.available(), guard(Math.round(state.neighbourShare() * 1_000_000))))
			.toList();
		CooldownDescriptor cooldown = (snapshot.cooldownRemaining().compareTo(Duration.ZERO) > 0)
				? cooldown(snapshot, now, 1) : null;
		return new PartitionDescriptor(snapshot.key(), snapshot.inFlight(), snapshot.queued(), limits, cooldown,
				snapshot.repeatedReleases(), guard(snapshot.guardPpm()));
	}

	private static long widestGuard(List<PartitionSnapshot> snapshots, PartitionSnapshot defaultSnapshot) {
		long widest = defaultSnapshot.guardPpm();
		for (PartitionSnapshot snapshot : snapshots) {
			widest = Math.max(widest, snapshot.guardPpm());
		}
		return widest;
	}

	/**
	 * Parts per million (a guard, a neighbour's share) as a percentage: {@code 1%},
	 * {@code 2.5%}.
	 */
	static String guard(long ppm) {
		return java.math.BigDecimal.valueOf(ppm, 4).stripTrailingZeros().toPlainString() + "%";
	}

	private static CooldownDescriptor cooldown(PartitionSnapshot snapshot, Instant now, int partitions) {
		return new CooldownDescriptor(now.plus(snapshot.cooldownRemaining()),
				DurationText.format(snapshot.cooldownRemaining()), safe(snapshot.cooldownReason()), partitions);
	}

	private static QuotaDescriptor quota(ProviderActivity activity) {
		if (activity == null || activity.exhaustedPartitions() == 0 || activity.lastQuotaExhausted() == null) {
			return null;
		}
		Marker last = activity.lastQuotaExhausted();
		return new QuotaDescriptor(last.at(), last.reason(), activity.exhaustedPartitions());
	}

	private static MarkerDescriptor marker(ProviderActivity activity) {
		Marker last = (activity != null) ? activity.lastBackendDegraded() : null;
		return (last != null) ? new MarkerDescriptor(last.at(), last.reason()) : null;
	}

	private static CountsDescriptor counts(ProviderActivity activity) {
		if (activity == null) {
			return null;
		}
		return new CountsDescriptor(activity.admitted(), activity.rejected(), activity.rateLimited(),
				activity.retries(), activity.cooldowns(), activity.limitsLearned(), activity.quotaExhausted(),
				activity.backendDegraded(), activity.released(), activity.abandoned(),
				new TokensDescriptor(activity.settled(), activity.estimatedTokens(), activity.actualTokens()));
	}

	private static String identity(Limit limit) {
		return limit.dimension().id() + "/" + limit.period();
	}

	private static Limit find(List<Limit> limits, Dimension dimension, Duration period) {
		for (Limit limit : limits) {
			if (limit.dimension() == dimension && limit.period().equals(period)) {
				return limit;
			}
		}
		return null;
	}

	private static LimitState state(PartitionSnapshot snapshot, Dimension dimension, Duration period) {
		for (LimitState state : snapshot.limits()) {
			if (state.limit().dimension() == dimension && state.limit().period().equals(period)) {
				return state;
			}
		}
		return null;
	}

	private static String safe(String text) {
		return (text != null) ? SecretRedactor.safeReason(text, MAX_TEXT_LENGTH) : null;
	}

	/**
	 * The default partition first, then those in cooldown (longest first), then the
	 * busiest, then by key.
	 */
	private static final Comparator<PartitionSnapshot> INTEREST = Comparator
		.comparing((PartitionSnapshot snapshot) -> !PartitionKeys.DEFAULT.equals(snapshot.key()))
		.thenComparing(PartitionSnapshot::cooldownRemaining, Comparator.reverseOrder())
		.thenComparing((snapshot) -> snapshot.inFlight() + snapshot.queued(), Comparator.reverseOrder())
		.thenComparing(PartitionSnapshot::key);

}
