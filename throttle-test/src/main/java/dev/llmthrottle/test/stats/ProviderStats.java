package dev.llmthrottle.test.stats;

import dev.llmthrottle.test.config.Limit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the simulated provider saw since it started or was last reset.
 *
 * @param received chat requests received (valid or not)
 * @param admitted requests admitted by every limit
 * @param completed admitted requests that finished (successfully or not)
 * @param rejected requests refused, over all reasons
 * @param rejectedByReason refusals by reason: {@code rate-limit:requests},
 * {@code rate-limit:tokens}, {@code rate-limit:input-tokens},
 * {@code rate-limit:output-tokens}, {@code too-large}, {@code concurrency},
 * {@code quota-exhausted}, {@code invalid-request}
 * @param tooManyRequests responses with status 429
 * @param responsesByStatus responses by HTTP status (reset connections are not responses)
 * @param faults injected faults by kind: {@code server-error}, {@code connection-reset},
 * {@code slow-first-byte}, {@code missing-headers}, {@code malformed-headers}
 * @param limits evidence per configured limit, in configuration order
 * @param admittedByDimension total settled amount per dimension key
 * @param maxRequestsInAnySecond the most admissions within any one-second window
 * @param inFlight admitted requests still running
 * @param maxInFlight the most admitted requests running at once
 * @param firstAdmission when the first request was admitted, or {@code null}
 * @param lastCompletion when the last admitted request finished, or {@code null}
 */
public record ProviderStats(long received, long admitted, long completed, long rejected,
		Map<String, Long> rejectedByReason, long tooManyRequests, Map<Integer, Long> responsesByStatus,
		Map<String, Long> faults, List<LimitStats> limits, Map<String, Long> admittedByDimension,
		long maxRequestsInAnySecond, int inFlight, int maxInFlight, Instant firstAdmission, Instant lastCompletion) {

	/** Copies the collections. */
	public ProviderStats {
		rejectedByReason = Map.copyOf(rejectedByReason);
		responsesByStatus = Map.copyOf(responsesByStatus);
		faults = Map.copyOf(faults);
		limits = List.copyOf(limits);
		admittedByDimension = Map.copyOf(admittedByDimension);
	}

	/** Refusals for one reason (0 if none). */
	public long rejected(String reason) {
		return rejectedByReason.getOrDefault(reason, 0L);
	}

	/** The evidence for a limit, e.g. {@code limit(Limit.parse("tokens:20000/10s"))}. */
	public LimitStats limit(Limit limit) {
		return limits.stream()
			.filter(s -> s.limit().equals(limit))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("No such limit configured: " + limit));
	}

	/** Whether any limit's trailing window ever held more than its amount. */
	public boolean anyLimitExceeded() {
		return limits.stream().anyMatch(LimitStats::exceeded);
	}

	/** From the first admission to the last completion, if both happened. */
	public Optional<Duration> activeSpan() {
		return firstAdmission == null || lastCompletion == null ? Optional.empty()
				: Optional.of(Duration.between(firstAdmission, lastCompletion));
	}
}
