package dev.llmthrottle.autoconfigure.actuate;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.autoconfigure.actuate.ProviderLimitsUpdater.LimitsChange;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.ProviderThrottler;

/**
 * {@link Endpoint @Endpoint} {@code llmthrottle}: the state of every provider's throttle
 * (limits configured, in force and learned, what is available, calls in flight and
 * waiting, cooldowns, counts) and, as a write operation, a runtime change of a provider's
 * limits.
 *
 * <p>
 * Values per limit: {@code available} and {@code used} are those of the provider's
 * default partition (calls without a key); {@code minAvailable} is the least available in
 * any partition (the tightest key). {@code inFlight} and {@code queued} are summed over
 * all partitions; {@code cooldown} describes the longest cooldown of any partition and
 * how many partitions are cooling down. Partition keys appear only in hashed form, at
 * most {@code partitionsShown} of them per provider.
 *
 * <p>
 * Default access is read-only: the write operation needs
 * {@code management.endpoint.llmthrottle.access=unrestricted} in addition to exposing the
 * endpoint.
 */
@Endpoint(id = "llmthrottle", defaultAccess = Access.READ_ONLY)
public final class LlmThrottleEndpoint {

	/** Partitions listed per provider unless configured otherwise. */
	public static final int DEFAULT_PARTITIONS_SHOWN = 100;

	private final LlmThrottlers throttlers;

	private final ProviderDescriber describer;

	private final ProviderLimitsUpdater updater;

	/**
	 * @param throttlers the throttlers to describe and change
	 * @param statistics the counts, or {@code null} to show none
	 * @param definitions the providers' definitions (backend, dialect), or {@code null}
	 * @param updater what changes limits
	 * @param clock the wall clock, for the end of cooldowns
	 * @param partitionsShown partitions listed per provider at most
	 */
	public LlmThrottleEndpoint(LlmThrottlers throttlers, @Nullable ThrottleStatistics statistics,
			@Nullable ProviderDefinitions definitions, ProviderLimitsUpdater updater, Clock clock,
			int partitionsShown) {
		if (partitionsShown < 0) {
			throw new IllegalArgumentException("partitionsShown must not be negative but was " + partitionsShown);
		}
		this.throttlers = throttlers;
		this.describer = new ProviderDescriber(statistics, definitions, clock, partitionsShown);
		this.updater = updater;
	}

	/** Every provider, by name. */
	@ReadOperation
	public ProvidersDescriptor providers() {
		Map<String, ProviderDescriptor> providers = new LinkedHashMap<>();
		for (String name : this.throttlers.names()) {
			providers.put(name, this.describer.describe(this.throttlers.get(name)));
		}
		return new ProvidersDescriptor(providers);
	}

	/**
	 * One provider with its partitions, or {@code null} (404) when there is no such
	 * provider.
	 */
	@ReadOperation
	public @Nullable ProviderDetailsDescriptor provider(@Selector String provider) {
		if (!this.throttlers.contains(provider)) {
			return null;
		}
		return this.describer.describeWithPartitions(this.throttlers.get(provider));
	}

	/**
	 * Changes the limits of {@code provider}. Each value given replaces the limit of the
	 * same dimension and period (or adds it); the others stay, unless {@code replace} is
	 * true. Validated like the startup configuration.
	 * @param limits further limits in one string, comma-separated, each like
	 * {@code 10 requests per 1s}
	 * @return the provider as it is now
	 * @throws InvalidEndpointRequestException (400) naming every problem, when nothing
	 * was changed
	 */
	@WriteOperation
	public ProviderDescriptor updateLimits(@Selector String provider, @Nullable Long requestsPerMinute,
			@Nullable Long tokensPerMinute, @Nullable Long inputTokensPerMinute, @Nullable Long outputTokensPerMinute,
			@Nullable Long requestsPerDay, @Nullable Long tokensPerDay, @Nullable String limits,
			@Nullable Integer maxConcurrent, @Nullable Boolean replace) {
		if (!this.throttlers.contains(provider)) {
			String message = "No LLM provider named '" + provider + "'; configured: "
					+ String.join(", ", this.throttlers.names());
			throw new InvalidEndpointRequestException(message, message);
		}
		LimitsChange change = new LimitsChange(requestsPerMinute, tokensPerMinute, inputTokensPerMinute,
				outputTokensPerMinute, requestsPerDay, tokensPerDay, split(limits), maxConcurrent,
				Boolean.TRUE.equals(replace));
		try {
			this.updater.update(provider, change);
		}
		catch (InvalidThrottleConfigurationException ex) {
			throw new InvalidEndpointRequestException(ex.getMessage(), ex.getMessage(), ex);
		}
		ProviderThrottler throttler = this.throttlers.get(provider);
		return this.describer.describe(throttler);
	}

	private static List<String> split(String limits) {
		if (limits == null || limits.isBlank()) {
			return List.of();
		}
		return Arrays.stream(limits.split("[,;]")).filter((item) -> !item.isBlank()).toList();
	}

	/**
	 * Every provider.
	 *
	 * @param providers by name
	 */
	public record ProvidersDescriptor(Map<String, ProviderDescriptor> providers) implements OperationResponseBody {
	}

	/**
	 * One provider and its partitions.
	 *
	 * @param name the provider name
	 * @param provider its state
	 * @param partitions its partitions
	 */
	public record ProviderDetailsDescriptor(String name, ProviderDescriptor provider,
			PartitionsDescriptor partitions) implements OperationResponseBody {
	}

	/**
	 * A provider's throttle state.
	 *
	 * @param backend where its state lives ({@code memory}, {@code redis}), {@code null}
	 * when not configured here
	 * @param dialect how it reports usage and limits, {@code null} when not configured
	 * here
	 * @param maxConcurrent calls in flight at once per partition, 0 for no cap
	 * @param maxWait longest wait for admission
	 * @param maxQueue callers that may wait at once per partition
	 * @param burst how far calls may run ahead of the steady rate
	 * @param limits one row per limit
	 * @param inFlight calls in flight, all partitions
	 * @param queued callers waiting, all partitions
	 * @param partitions partitions held
	 * @param cooldown the longest cooldown in force, or {@code null}
	 * @param quotaExhausted the quota reported exhausted, or {@code null}
	 * @param backendDegraded the latest backend failure, or {@code null}
	 * @param counts what happened since startup
	 * @param guard the widest guard of any partition, as a percentage of the period (1%
	 * by default, wider after refusals our books could not explain), e.g. {@code 2%}
	 * @param concurrency {@code max-concurrent: auto} in this instance, or {@code null}
	 * for a fixed cap (or none)
	 */
	public record ProviderDescriptor(String backend, String dialect, int maxConcurrent, String maxWait, int maxQueue,
			String burst, List<LimitDescriptor> limits, int inFlight, int queued, int partitions,
			CooldownDescriptor cooldown, QuotaDescriptor quotaExhausted, MarkerDescriptor backendDegraded,
			CountsDescriptor counts, String guard, ConcurrencyDescriptor concurrency) implements OperationResponseBody {
	}

	/**
	 * {@code max-concurrent: auto} of a provider in this instance. Each partition (API
	 * key) adapts its own limit; the figures are over the partitions that have measured a
	 * call, or the default partition while none has.
	 *
	 * @param bound the configured upper bound ({@code auto(N)}), {@code null} for none
	 * @param limit the lowest limit in force
	 * @param highestLimit the highest limit in force
	 * @param latency the smoothed time a call holds its slot (a stream's until its end)
	 * in the partition with the lowest limit, {@code null} before the first answer
	 * @param partitionsMeasured partitions that have measured a call
	 * @param scope {@code instance}: the limits are this JVM's (with the Redis backend,
	 * the shared lease cap across instances is the bound)
	 */
	public record ConcurrencyDescriptor(Integer bound, int limit, int highestLimit, String latency,
			int partitionsMeasured, String scope) {
	}

	/**
	 * One limit of a provider.
	 *
	 * @param dimension {@code requests}, {@code tokens}, {@code input-tokens} or
	 * {@code output-tokens}
	 * @param period the window, e.g. {@code 1m}
	 * @param configured the amount configured (at startup or changed at runtime),
	 * {@code null} if not configured
	 * @param current the amount in force in the default partition (may be lower than
	 * configured after the provider reported less), {@code null} if not in force there
	 * @param learned the latest amount the provider reported, {@code null} when none
	 * @param used used in the trailing window, default partition
	 * @param available still available in the trailing window, default partition
	 * @param minAvailable least available in any partition
	 * @param enforcement how the provider is declared to count it ({@code paced},
	 * {@code sliding-window}, {@code token-bucket}, {@code fixed-window})
	 */
	public record LimitDescriptor(String dimension, String period, Long configured, Long current, Long learned,
			Long used, Long available, Long minAvailable, String enforcement) {
	}

	/**
	 * A cooldown.
	 *
	 * @param until when it ends
	 * @param remaining how long is left
	 * @param reason why it was set, redacted
	 * @param partitions partitions cooling down
	 */
	public record CooldownDescriptor(Instant until, String remaining, String reason, int partitions) {
	}

	/**
	 * A quota reported exhausted.
	 *
	 * @param at when it was last reported
	 * @param reason what the provider said, redacted
	 * @param partitions partitions affected
	 */
	public record QuotaDescriptor(Instant at, String reason, int partitions) {
	}

	/**
	 * Something that happened.
	 *
	 * @param at when
	 * @param reason why, redacted
	 */
	public record MarkerDescriptor(Instant at, String reason) {
	}

	/**
	 * A provider's counts since startup.
	 *
	 * @param admitted calls admitted
	 * @param rejected calls refused before sending, by reason
	 * @param rateLimited 429 responses, by limit type
	 * @param retries retries of refused calls
	 * @param cooldowns cooldowns set
	 * @param limitsLearned limits learned from the provider
	 * @param quotaExhausted quota-exhausted reports
	 * @param backendDegraded backend failures
	 * @param released calls sent and released
	 * @param abandoned permits given back unsent
	 * @param tokens estimated and actual tokens of calls settled with reported usage
	 */
	public record CountsDescriptor(long admitted, Map<String, Long> rejected, Map<String, Long> rateLimited,
			long retries, long cooldowns, long limitsLearned, long quotaExhausted, long backendDegraded, long released,
			long abandoned, TokensDescriptor tokens) {
	}

	/**
	 * Tokens of calls whose usage was reported.
	 *
	 * @param settledCalls how many such calls
	 * @param estimated what was estimated before sending, by dimension
	 * @param actual what the provider reported, by dimension
	 */
	public record TokensDescriptor(long settledCalls, Map<String, Long> estimated, Map<String, Long> actual) {
	}

	/**
	 * The partitions of a provider, capped.
	 *
	 * @param total partitions held
	 * @param shown partitions listed
	 * @param items the partitions listed: the default one, those cooling down, then the
	 * busiest
	 */
	public record PartitionsDescriptor(int total, int shown, List<PartitionDescriptor> items) {
	}

	/**
	 * One partition.
	 *
	 * @param key the hashed key ({@code default} for calls without a key)
	 * @param inFlight calls in flight
	 * @param queued callers waiting
	 * @param limits each limit in force
	 * @param cooldown its cooldown, or {@code null}
	 * @param repeatedReleases attempts to release a permit twice (should stay 0)
	 * @param guard its windows' guard as a percentage of the period, e.g. {@code 1%}
	 */
	public record PartitionDescriptor(String key, int inFlight, int queued, List<PartitionLimitDescriptor> limits,
			CooldownDescriptor cooldown, long repeatedReleases, String guard) {
	}

	/**
	 * One limit of a partition.
	 *
	 * @param dimension what is counted
	 * @param period the window
	 * @param amount the amount in force
	 * @param used used in the trailing window
	 * @param available still available in the trailing window (less what is held back for
	 * unseen clients sharing the key)
	 * @param neighbourShare the share of the limit reserved for unseen clients sharing
	 * the key, seen in the provider's reported remaining, as a percentage ({@code 0%}
	 * when none, always with the Redis backend)
	 */
	public record PartitionLimitDescriptor(String dimension, String period, long amount, long used, long available,
			String neighbourShare) {
	}

}
