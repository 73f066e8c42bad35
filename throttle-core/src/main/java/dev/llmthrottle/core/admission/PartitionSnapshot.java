package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.List;

import dev.llmthrottle.core.Limit;

/**
 * What a partition looks like at one instant, for endpoints, metrics and tests.
 *
 * @param provider the provider name
 * @param key the hashed partition key
 * @param inFlight permits held
 * @param queued callers waiting
 * @param limits each limit with what is used and available in its trailing window
 * @param cooldownRemaining time left in the provider-imposed pause, zero when none
 * @param cooldownReason why the pause was set, or {@code null}
 * @param repeatedReleases attempts to release a permit a second time (always ignored;
 * should stay 0)
 * @param guardPpm the guard every window's period is stretched by, in parts per million
 * (10,000 = the default 1%; wider after refusals our books could not explain)
 */
public record PartitionSnapshot(String provider, String key, int inFlight, int queued, List<LimitState> limits,
		Duration cooldownRemaining, String cooldownReason, long repeatedReleases, long guardPpm) {

	/** A snapshot with the default guard. */
	public PartitionSnapshot(String provider, String key, int inFlight, int queued, List<LimitState> limits,
			Duration cooldownRemaining, String cooldownReason, long repeatedReleases) {
		this(provider, key, inFlight, queued, limits, cooldownRemaining, cooldownReason, repeatedReleases,
				dev.llmthrottle.core.rate.PacedWindow.BASE_GUARD_PPM);
	}

	/**
	 * One limit's state.
	 *
	 * @param limit the limit in force (configured or learned)
	 * @param used amount admitted in the trailing window
	 * @param available amount still admissible in the trailing window (ignoring pacing;
	 * less what is held back for unseen clients sharing the key)
	 * @param neighbourShare the share of the limit, in [0, 0.9], reserved now for unseen
	 * clients sharing the key (their share seen in the provider's reported remaining,
	 * plus a 2% margin); 0 when none is seen or the backend does not estimate it (Redis)
	 */
	public record LimitState(Limit limit, long used, long available, double neighbourShare) {

		/** A limit's state with no neighbour share. */
		public LimitState(Limit limit, long used, long available) {
			this(limit, used, available, 0);
		}

	}

}
