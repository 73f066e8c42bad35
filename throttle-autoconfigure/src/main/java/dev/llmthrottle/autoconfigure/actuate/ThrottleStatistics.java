package dev.llmthrottle.autoconfigure.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.llmthrottle.autoconfigure.events.LimitTypes;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.core.admission.PartitionLimitException;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.protocol.SecretRedactor;

/**
 * A {@link ThrottleListener} that counts what happened to each provider since startup,
 * for the {@code llmthrottle} endpoint and the health contribution, without requiring
 * Micrometer. Also remembers which partitions reported an exhausted quota (until a later
 * call on the same partition settles with reported usage) and the last backend
 * degradation. Bounded: at most {@value #MAX_PROVIDERS} providers, small capped maps per
 * provider.
 */
public final class ThrottleStatistics implements ThrottleListener {

	/** Providers tracked at most; events of further providers are dropped. */
	public static final int MAX_PROVIDERS = 256;

	private static final int MAX_TEXT_LENGTH = 200;

	private final Clock clock;

	private final ConcurrentHashMap<String, ProviderCounters> providers = new ConcurrentHashMap<>();

	public ThrottleStatistics(Clock clock) {
		this.clock = clock;
	}

	/** What has happened to {@code provider} so far (all zero when nothing has). */
	public ProviderActivity activity(String provider) {
		ProviderCounters counters = this.providers.get(provider);
		return (counters != null) ? counters.snapshot() : new ProviderCounters().snapshot();
	}

	/** Forgets a provider. */
	public void removeProvider(String provider) {
		this.providers.remove(provider);
	}

	@Override
	public void admitted(String provider, String partition, Cost cost, long waitedNanos) {
		ProviderCounters counters = counters(provider);
		if (counters != null) {
			counters.admitted.increment();
		}
	}

	@Override
	public void rejected(String provider, String partition, ThrottleRejectedException rejection) {
		ProviderCounters counters = counters(provider);
		if (counters != null) {
			counters.rejected(rejection.reason());
		}
	}

	/** Counted among the rejections, under {@code partitions-full}. */
	@Override
	public void partitionLimitReached(String provider, PartitionLimitException rejection) {
		rejected(provider, null, rejection);
	}

	@Override
	public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
		ProviderCounters counters = counters(provider);
		if (counters == null) {
			return;
		}
		if (!sent) {
			counters.abandoned.increment();
			return;
		}
		counters.released.increment();
		if (actual != null) {
			counters.settled.increment();
			counters.estimatedInput.add(estimate.inputTokens());
			counters.estimatedOutput.add(estimate.outputTokens());
			counters.actualInput.add(actual.inputTokens());
			counters.actualOutput.add(actual.outputTokens());
			counters.succeeded(partition);
		}
	}

	@Override
	public void cooldown(String provider, String partition, Duration duration, String reason) {
		ProviderCounters counters = counters(provider);
		if (counters != null) {
			counters.cooldowns.increment();
		}
	}

	@Override
	public void rateLimited(String provider, String partition, String limitType, Duration hint) {
		ProviderCounters counters = counters(provider);
		if (counters != null) {
			counters.rateLimited(LimitTypes.normalize(limitType));
		}
	}

	@Override
	public void retried(String provider, String partition, int attempt, Duration backoff) {
		ProviderCounters counters = counters(provider);
		if (counters != null) {
			counters.retries.increment();
		}
	}

	@Override
	public void limitLearned(String provider, String partition, Limit limit) {
		ProviderCounters counters = counters(provider);
		if (counters != null) {
			counters.limitsLearned.increment();
			counters.learned(limit);
		}
	}

	@Override
	public void quotaExhausted(String provider, String partition, String reason) {
		ProviderCounters counters = counters(provider);
		if (counters != null) {
			counters.quotaExhausted.increment();
			counters.quotaExhausted(new Marker(this.clock.instant(), partition, safe(reason)));
		}
	}

	@Override
	public void backendDegraded(String provider, String reason) {
		ProviderCounters counters = counters(provider);
		if (counters != null) {
			counters.backendDegraded.increment();
			counters.lastBackendDegraded = new Marker(this.clock.instant(), null, safe(reason));
		}
	}

	private ProviderCounters counters(String provider) {
		if (provider == null) {
			return null;
		}
		ProviderCounters counters = this.providers.get(provider);
		if (counters != null || this.providers.size() >= MAX_PROVIDERS) {
			return counters;
		}
		return this.providers.computeIfAbsent(provider, (name) -> new ProviderCounters());
	}

	private static String safe(String text) {
		return (text != null) ? SecretRedactor.safeReason(text, MAX_TEXT_LENGTH) : null;
	}

	/**
	 * Something that happened at an instant.
	 *
	 * @param at when
	 * @param partition the hashed partition key, or {@code null} for the whole provider
	 * @param reason why, redacted, or {@code null}
	 */
	public record Marker(Instant at, String partition, String reason) {
	}

	/**
	 * A provider's counts since startup.
	 *
	 * @param admitted calls admitted
	 * @param rejected calls refused before sending, by reason ({@code too-large},
	 * {@code max-wait}, ...)
	 * @param rateLimited 429 responses, by limit type ({@code requests}, {@code tokens},
	 * ..., {@code unknown})
	 * @param retries retries of refused calls
	 * @param cooldowns cooldowns set or extended
	 * @param limitsLearned limits learned from the provider
	 * @param quotaExhausted quota-exhausted reports
	 * @param backendDegraded backend failures
	 * @param released permits released after sending
	 * @param abandoned permits given back without sending
	 * @param settled released calls whose actual usage was reported
	 * @param estimatedTokens estimated tokens of settled calls, by dimension
	 * @param actualTokens actual tokens of settled calls, by dimension
	 * @param learnedLimits the latest learned limit per dimension and period
	 * @param exhaustedPartitions partitions whose quota is reported exhausted now
	 * @param lastQuotaExhausted the latest quota-exhausted report still in force, or
	 * {@code null}
	 * @param lastBackendDegraded the latest backend failure, or {@code null}
	 */
	public record ProviderActivity(long admitted, Map<String, Long> rejected, Map<String, Long> rateLimited,
			long retries, long cooldowns, long limitsLearned, long quotaExhausted, long backendDegraded, long released,
			long abandoned, long settled, Map<String, Long> estimatedTokens, Map<String, Long> actualTokens,
			List<Limit> learnedLimits, int exhaustedPartitions, Marker lastQuotaExhausted, Marker lastBackendDegraded) {
	}

}
