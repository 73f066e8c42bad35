package dev.llmthrottle.autoconfigure.actuate;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

import dev.llmthrottle.autoconfigure.actuate.ThrottleStatistics.Marker;
import dev.llmthrottle.autoconfigure.actuate.ThrottleStatistics.ProviderActivity;
import dev.llmthrottle.autoconfigure.events.DurationText;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.protocol.SecretRedactor;

/**
 * The health of one provider's throttle: {@code UP} normally, {@link #QUOTA_EXHAUSTED}
 * while any partition has reported an exhausted quota, {@link #COOLDOWN} while any
 * partition is in a cooldown at least as long as the configured threshold. Details: calls
 * in flight and waiting, partitions, the longest cooldown and why, the quota report, the
 * last backend failure.
 *
 * <p>
 * The two statuses are not in Spring Boot's default status order
 * ({@code DOWN, OUT_OF_SERVICE, UP, UNKNOWN}), so the default aggregator ignores them and
 * the default HTTP mapping answers 200: a provider that is cooling down or out of quota
 * never takes the application {@code DOWN}. (If every provider is in one of them, the
 * {@code llmThrottle} group shows {@code UNKNOWN}, which still maps to 200 and ranks
 * below {@code UP}.) To make them count, add them to
 * {@code management.endpoint.health.status.order} and map them in
 * {@code management.endpoint.health.status.http-mapping}.
 */
public final class ProviderHealthIndicator implements HealthIndicator {

	/** A partition is in a cooldown of at least the configured threshold. */
	public static final Status COOLDOWN = new Status("COOLDOWN", "The provider asked for a long pause");

	/** A partition reported a quota or spend limit that retrying will not restore. */
	public static final Status QUOTA_EXHAUSTED = new Status("QUOTA_EXHAUSTED",
			"The provider reported an exhausted quota");

	private static final int MAX_TEXT_LENGTH = 200;

	private final ProviderThrottler throttler;

	private final ThrottleStatistics statistics;

	private final Duration longCooldown;

	private final Clock clock;

	/**
	 * @param throttler the provider's throttler
	 * @param statistics the counted activity (for quota reports), or {@code null}
	 * @param longCooldown the cooldown from which the status is {@link #COOLDOWN}
	 * @param clock the wall clock, for the end of cooldowns
	 */
	public ProviderHealthIndicator(ProviderThrottler throttler, ThrottleStatistics statistics, Duration longCooldown,
			Clock clock) {
		this.throttler = throttler;
		this.statistics = statistics;
		this.longCooldown = longCooldown;
		this.clock = clock;
	}

	@Override
	public Health health() {
		int inFlight = 0;
		int queued = 0;
		int partitions = 0;
		int cooling = 0;
		PartitionSnapshot longest = null;
		for (Partition partition : this.throttler.partitions()) {
			PartitionSnapshot snapshot = partition.snapshot();
			partitions++;
			inFlight += snapshot.inFlight();
			queued += snapshot.queued();
			if (snapshot.cooldownRemaining().compareTo(Duration.ZERO) > 0) {
				cooling++;
				if (longest == null || snapshot.cooldownRemaining().compareTo(longest.cooldownRemaining()) > 0) {
					longest = snapshot;
				}
			}
		}
		ProviderActivity activity = (this.statistics != null) ? this.statistics.activity(this.throttler.name()) : null;
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("inFlight", inFlight);
		details.put("queued", queued);
		details.put("partitions", partitions);
		Status status = Status.UP;
		if (longest != null) {
			Duration remaining = longest.cooldownRemaining();
			details.put("cooldownPartitions", cooling);
			details.put("cooldownRemaining", DurationText.format(remaining));
			details.put("cooldownUntil", this.clock.instant().plus(remaining).toString());
			if (longest.cooldownReason() != null) {
				details.put("cooldownReason", SecretRedactor.safeReason(longest.cooldownReason(), MAX_TEXT_LENGTH));
			}
			if (remaining.compareTo(this.longCooldown) >= 0) {
				status = COOLDOWN;
			}
		}
		if (activity != null && activity.exhaustedPartitions() > 0 && activity.lastQuotaExhausted() != null) {
			Marker quota = activity.lastQuotaExhausted();
			details.put("quotaExhaustedPartitions", activity.exhaustedPartitions());
			details.put("quotaExhaustedAt", quota.at().toString());
			if (quota.reason() != null) {
				details.put("quotaExhaustedReason", quota.reason());
			}
			status = QUOTA_EXHAUSTED;
		}
		if (activity != null && activity.lastBackendDegraded() != null) {
			details.put("backendDegradedAt", activity.lastBackendDegraded().at().toString());
			if (activity.lastBackendDegraded().reason() != null) {
				details.put("backendDegradedReason", activity.lastBackendDegraded().reason());
			}
		}
		return Health.status(status).withDetails(details).build();
	}

}
