package dev.llmthrottle.autoconfigure.events;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.core.admission.PartitionLimitException;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.protocol.SecretRedactor;

/**
 * A {@link ThrottleListener} that keeps the most recent events of each provider in
 * memory: rejections, 429s, retries, cooldowns started and lifted, limits learned or
 * changed, quota exhaustion and backend degradation. Admissions and releases are not
 * recorded (they are counted by metrics instead). Memory is bounded: at most
 * {@code capacity} events per provider and {@value #MAX_PROVIDERS} providers. Timestamps
 * come from the injected {@link Clock}; free text (reasons, messages) is redacted and
 * shortened.
 */
public final class ThrottleEventRecorder implements ThrottleListener {

	/** Events kept per provider unless configured otherwise. */
	public static final int DEFAULT_CAPACITY = 100;

	/** Providers tracked at most; events of further providers are dropped. */
	public static final int MAX_PROVIDERS = 256;

	private static final int MAX_TEXT_LENGTH = 200;

	private final Clock clock;

	private final int capacity;

	private final AtomicLong sequence = new AtomicLong();

	private final ConcurrentHashMap<String, ProviderEventLog> logs = new ConcurrentHashMap<>();

	/** Keeps {@link #DEFAULT_CAPACITY} events per provider. */
	public ThrottleEventRecorder(Clock clock) {
		this(clock, DEFAULT_CAPACITY);
	}

	/** Keeps {@code capacity} events per provider. */
	public ThrottleEventRecorder(Clock clock, int capacity) {
		if (capacity < 1) {
			throw new IllegalArgumentException("capacity must be at least 1 but was " + capacity);
		}
		this.clock = clock;
		this.capacity = capacity;
	}

	/** Events kept per provider. */
	public int capacity() {
		return this.capacity;
	}

	/** The events of {@code provider}, oldest first; empty when there are none. */
	public List<ThrottleEvent> events(String provider) {
		ProviderEventLog log = this.logs.get(provider);
		return (log != null) ? log.events() : List.of();
	}

	/** The events of every provider that has any, by provider name, each oldest first. */
	public Map<String, List<ThrottleEvent>> events() {
		Map<String, List<ThrottleEvent>> result = new TreeMap<>();
		this.logs.forEach((provider, log) -> result.put(provider, log.events()));
		return Collections.unmodifiableMap(result);
	}

	/** Forgets a provider's events. */
	public void removeProvider(String provider) {
		this.logs.remove(provider);
	}

	/** Records that an operator changed a provider's configured limits. */
	public void limitsChanged(String provider, List<Limit> limits, int maxConcurrent) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("limits", limits.stream().map(Limit::toString).collect(Collectors.joining(", ")));
		details.put("maxConcurrent", maxConcurrent);
		append(provider, ThrottleEventType.LIMITS_CHANGED, null, details);
	}

	@Override
	public void rejected(String provider, String partition, ThrottleRejectedException rejection) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("reason", rejection.reason());
		details.put("message", safe(rejection.getMessage()));
		append(provider, ThrottleEventType.REJECTED, partition, details);
	}

	/**
	 * Recorded as a provider-wide {@code rejected} event with reason
	 * {@code partitions-full}.
	 */
	@Override
	public void partitionLimitReached(String provider, PartitionLimitException rejection) {
		rejected(provider, null, rejection);
	}

	@Override
	public void cooldown(String provider, String partition, Duration duration, String reason) {
		ProviderEventLog log = log(provider);
		if (log == null) {
			return;
		}
		String safeReason = (reason != null) ? safe(reason) : null;
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("duration", DurationText.format(duration));
		if (safeReason != null) {
			details.put("reason", safeReason);
		}
		log.cooldownStarted(partition, duration, safeReason, Collections.unmodifiableMap(details));
	}

	@Override
	public void rateLimited(String provider, String partition, String limitType, Duration hint) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("limitType", LimitTypes.normalize(limitType));
		if (hint != null) {
			details.put("hint", DurationText.format(hint));
		}
		append(provider, ThrottleEventType.RATE_LIMITED, partition, details);
	}

	@Override
	public void retried(String provider, String partition, int attempt, Duration backoff) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("attempt", attempt);
		if (backoff != null) {
			details.put("backoff", DurationText.format(backoff));
		}
		append(provider, ThrottleEventType.RETRIED, partition, details);
	}

	@Override
	public void limitLearned(String provider, String partition, Limit limit) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("dimension", limit.dimension().id());
		details.put("amount", limit.amount());
		details.put("period", DurationText.format(limit.period()));
		append(provider, ThrottleEventType.LIMIT_LEARNED, partition, details);
	}

	@Override
	public void quotaExhausted(String provider, String partition, String reason) {
		append(provider, ThrottleEventType.QUOTA_EXHAUSTED, partition, reasonOnly(reason));
	}

	@Override
	public void backendDegraded(String provider, String reason) {
		append(provider, ThrottleEventType.BACKEND_DEGRADED, null, reasonOnly(reason));
	}

	private void append(String provider, ThrottleEventType type, String partition, Map<String, Object> details) {
		ProviderEventLog log = log(provider);
		if (log != null) {
			log.append(type, partition, Collections.unmodifiableMap(details));
		}
	}

	private ProviderEventLog log(String provider) {
		if (provider == null) {
			return null;
		}
		ProviderEventLog log = this.logs.get(provider);
		if (log != null) {
			return log;
		}
		if (this.logs.size() >= MAX_PROVIDERS) {
			return null;
		}
		return this.logs.computeIfAbsent(provider,
				(name) -> new ProviderEventLog(name, this.clock, this.sequence, this.capacity));
	}

	private static Map<String, Object> reasonOnly(String reason) {
		Map<String, Object> details = new LinkedHashMap<>();
		if (reason != null) {
			details.put("reason", safe(reason));
		}
		return details;
	}

	private static String safe(String text) {
		return SecretRedactor.safeReason(text, MAX_TEXT_LENGTH);
	}

}
