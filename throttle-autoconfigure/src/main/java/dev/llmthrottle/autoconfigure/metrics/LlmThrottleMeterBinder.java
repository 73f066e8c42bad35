package dev.llmthrottle.autoconfigure.metrics;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.core.admission.PartitionLimitException;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;

/**
 * Publishes the LLM throttles to Micrometer (names in {@link LlmThrottleMetrics}). As a
 * {@link MeterBinder} it registers each provider's meters, gauges included, when bound to
 * a registry; as a {@link ThrottleListener} it counts admissions, rejections, settled
 * tokens, cooldowns, 429s, retries and the rest. Only providers present when the binder
 * is bound get meters, and events that arrive before binding are not counted: both keep
 * the {@code provider} tag bounded by the configuration. {@link #removeProvider(String)}
 * takes a provider's meters out of every registry.
 */
public final class LlmThrottleMeterBinder implements MeterBinder, ThrottleListener {

	private final Supplier<? extends Collection<ProviderThrottler>> throttlers;

	private final ConcurrentHashMap<String, ProviderMeters[]> providers = new ConcurrentHashMap<>();

	/**
	 * @param throttlers the throttlers, looked up when bound (so the binder can be a
	 * listener of the throttlers it measures)
	 */
	public LlmThrottleMeterBinder(Supplier<? extends Collection<ProviderThrottler>> throttlers) {
		this.throttlers = throttlers;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (ProviderThrottler throttler : this.throttlers.get()) {
			ProviderMeters meters = new ProviderMeters(registry, throttler);
			this.providers.merge(throttler.name(), new ProviderMeters[] { meters }, (existing, added) -> {
				ProviderMeters[] merged = Arrays.copyOf(existing, existing.length + 1);
				merged[existing.length] = added[0];
				return merged;
			});
		}
	}

	/**
	 * Removes the meters of {@code provider} from every registry and stops counting its
	 * events.
	 */
	public void removeProvider(String provider) {
		ProviderMeters[] removed = this.providers.remove(provider);
		if (removed != null) {
			for (ProviderMeters meters : removed) {
				meters.remove();
			}
		}
	}

	@Override
	public void admitted(String provider, String partition, Cost cost, long waitedNanos) {
		ProviderMeters[] meters = this.providers.get(provider);
		if (meters != null) {
			for (ProviderMeters each : meters) {
				each.admitted(waitedNanos);
			}
		}
	}

	@Override
	public void rejected(String provider, String partition, ThrottleRejectedException rejection) {
		ProviderMeters[] meters = this.providers.get(provider);
		if (meters != null) {
			for (ProviderMeters each : meters) {
				each.rejected(rejection.reason());
			}
		}
	}

	/**
	 * Counted as {@code llm.throttle.calls{outcome=partitions-full}}, like every other
	 * refusal.
	 */
	@Override
	public void partitionLimitReached(String provider, PartitionLimitException rejection) {
		rejected(provider, null, rejection);
	}

	@Override
	public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
		if (!sent || actual == null) {
			return;
		}
		ProviderMeters[] meters = this.providers.get(provider);
		if (meters != null) {
			for (ProviderMeters each : meters) {
				each.settled(estimate, actual);
			}
		}
	}

	@Override
	public void cooldown(String provider, String partition, Duration duration, String reason) {
		ProviderMeters[] meters = this.providers.get(provider);
		if (meters != null) {
			for (ProviderMeters each : meters) {
				each.cooldown();
			}
		}
	}

	@Override
	public void rateLimited(String provider, String partition, String limitType, Duration hint) {
		ProviderMeters[] meters = this.providers.get(provider);
		if (meters != null) {
			for (ProviderMeters each : meters) {
				each.rateLimited(limitType);
			}
		}
	}

	@Override
	public void retried(String provider, String partition, int attempt, Duration backoff) {
		ProviderMeters[] meters = this.providers.get(provider);
		if (meters != null) {
			for (ProviderMeters each : meters) {
				each.retried();
			}
		}
	}

	@Override
	public void limitLearned(String provider, String partition, Limit limit) {
		ProviderMeters[] meters = this.providers.get(provider);
		if (meters != null) {
			for (ProviderMeters each : meters) {
				each.limitLearned(limit.dimension());
			}
		}
	}

	@Override
	public void quotaExhausted(String provider, String partition, String reason) {
		ProviderMeters[] meters = this.providers.get(provider);
		if (meters != null) {
			for (ProviderMeters each : meters) {
				each.quotaExhausted();
			}
		}
	}

	@Override
	public void backendDegraded(String provider, String reason) {
		ProviderMeters[] meters = this.providers.get(provider);
		if (meters != null) {
			for (ProviderMeters each : meters) {
				each.backendDegraded();
			}
		}
	}

}
