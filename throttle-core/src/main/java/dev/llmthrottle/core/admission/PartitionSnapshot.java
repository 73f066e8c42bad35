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
 */
public record PartitionSnapshot(String provider, String key, int inFlight, int queued, List<LimitState> limits,
		Duration cooldownRemaining, String cooldownReason, long repeatedReleases) {

	/**
	 * One limit's state.
	 *
	 * @param limit the limit in force (configured or learned)
	 * @param used amount admitted in the trailing window
	 * @param available amount still admissible in the trailing window (ignoring pacing)
	 */
	public record LimitState(Limit limit, long used, long available) {
	}

}
