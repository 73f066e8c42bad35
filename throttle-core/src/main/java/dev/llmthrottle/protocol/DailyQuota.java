package dev.llmthrottle.protocol;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A refused per-day quota (protocol.md §8.6): Gemini names it in
 * {@code QuotaFailure.violations[].quotaId} (an id containing {@code PerDay}, such as
 * {@code GenerateRequestsPerDayPerProjectPerModel-FreeTier}), and it resets at midnight
 * Pacific time. Until then every call of that project is refused, so the caller should
 * block the partition and fail callers at once rather than send each call to be refused.
 *
 * @param quotaId the quota the provider says is exhausted
 * @param resetAt when it resets: the next midnight in {@code America/Los_Angeles}
 */
public record DailyQuota(String quotaId, Instant resetAt) {

	/**
	 * Gemini's daily quotas reset at midnight Pacific time (daylight saving included).
	 */
	public static final ZoneId RESET_ZONE = ZoneId.of("America/Los_Angeles");

	private static final String PER_DAY = "perday";

	public DailyQuota {
		Objects.requireNonNull(quotaId, "quotaId");
		Objects.requireNonNull(resetAt, "resetAt");
	}

	/**
	 * The refused daily quota an error body names, if any.
	 * @param body the parsed error body
	 * @param now the instant the response was received
	 * @return the quota and its reset, or empty when no quota id contains {@code PerDay}
	 */
	public static Optional<DailyQuota> of(ErrorBody body, Instant now) {
		if (body == null || now == null) {
			return Optional.empty();
		}
		return body.quotaIds()
			.stream()
			.filter((id) -> id.toLowerCase(Locale.ROOT).contains(PER_DAY))
			.findFirst()
			.map((id) -> new DailyQuota(id, nextReset(now)));
	}

	/**
	 * The first midnight Pacific strictly after {@code now}.
	 * @param now the current instant
	 * @return the reset instant
	 */
	public static Instant nextReset(Instant now) {
		ZonedDateTime local = now.atZone(RESET_ZONE);
		return local.toLocalDate().plusDays(1).atStartOfDay(RESET_ZONE).toInstant();
	}

}
