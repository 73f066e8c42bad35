package dev.llmthrottle.test.dialect;

import dev.llmthrottle.test.config.Dimension;
import dev.llmthrottle.test.config.GoDuration;
import dev.llmthrottle.test.config.HintStyle;
import dev.llmthrottle.test.config.Limit;
import dev.llmthrottle.test.engine.LimitState;
import dev.llmthrottle.test.engine.RateSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Helpers shared by the dialects: choosing the reported limit, hint headers, wording. */
final class WireSupport {

	/** The huge hint, in seconds (a day, like Azure trial quotas). */
	static final long HUGE_HINT_SECONDS = 86_400;

	private WireSupport() {
	}

	/**
	 * The limit reported for a dimension when several are configured: the one with the
	 * least remaining (ties: the later reset). {@code null} if the dimension has no
	 * limit.
	 */
	static LimitState binding(RateSnapshot snapshot, Dimension dimension) {
		LimitState best = null;
		for (LimitState state : snapshot.limits()) {
			if (state.limit().dimension() != dimension) {
				continue;
			}
			if (best == null || state.remaining() < best.remaining()
					|| state.remaining() == best.remaining() && state.resetNanos() > best.resetNanos()) {
				best = state;
			}
		}
		return best;
	}

	/** The state of a given limit in a snapshot. */
	static LimitState stateOf(RateSnapshot snapshot, Limit limit) {
		for (LimitState state : snapshot.limits()) {
			if (state.limit().equals(limit)) {
				return state;
			}
		}
		return new LimitState(limit, 0, 0);
	}

	/**
	 * Hint headers for a wait. {@link HintStyle#SECONDS}: {@code retry-after} in whole
	 * seconds rounded up (at least 1) and, if {@code withMillis}, {@code retry-after-ms}
	 * rounded up.
	 */
	static Map<String, String> hintHeaders(HintStyle style, long waitNanos, Instant now, boolean withMillis) {
		Map<String, String> headers = new LinkedHashMap<>();
		switch (style) {
			case SECONDS:
				if (withMillis) {
					headers.put("retry-after-ms", Long.toString(Math.max(1, HttpDates.ceilMillis(waitNanos))));
				}
				headers.put("retry-after", Long.toString(Math.max(1, HttpDates.ceilSeconds(waitNanos))));
				break;
			case HTTP_DATE:
				headers.put("retry-after", HttpDates.httpDate(HttpDates.ceilSecond(now.plusNanos(waitNanos))));
				break;
			case PAST:
				headers.put("retry-after", HttpDates.httpDate(now.minusSeconds(60)));
				break;
			case HUGE:
				if (withMillis) {
					headers.put("retry-after-ms", Long.toString(HUGE_HINT_SECONDS * 1000));
				}
				headers.put("retry-after", Long.toString(HUGE_HINT_SECONDS));
				break;
			case NONE:
				break;
			default:
				throw new IllegalStateException("Unknown hint style " + style);
		}
		return headers;
	}

	/**
	 * The wait as OpenAI words it in messages: a Go duration of whole milliseconds, e.g.
	 * {@code 1.146s}.
	 */
	static String goWait(long waitNanos) {
		return GoDuration.format(Math.max(1, HttpDates.ceilMillis(waitNanos)) * 1_000_000L);
	}

	/** Human words for a dimension, e.g. {@code input tokens}. */
	static String words(Dimension dimension) {
		return dimension.key().replace('-', ' ');
	}

	/**
	 * The period as providers word it: {@code min}, {@code hour}, {@code day}, else a Go
	 * duration.
	 */
	static String period(Duration period) {
		if (period.equals(Duration.ofMinutes(1))) {
			return "min";
		}
		if (period.equals(Duration.ofHours(1))) {
			return "hour";
		}
		if (period.equals(Duration.ofDays(1))) {
			return "day";
		}
		return GoDuration.format(period);
	}

	/**
	 * The OpenAI abbreviation, e.g. {@code  (TPM)}, or empty for periods other than a
	 * minute or a day.
	 */
	static String abbreviation(Limit limit) {
		String unit = limit.period().equals(Duration.ofMinutes(1)) ? "M"
				: limit.period().equals(Duration.ofDays(1)) ? "D" : null;
		if (unit == null) {
			return "";
		}
		String prefix = limit.dimension() == Dimension.REQUESTS ? "R" : limit.dimension() == Dimension.INPUT_TOKENS
				? "ITP" : limit.dimension() == Dimension.OUTPUT_TOKENS ? "OTP" : "T";
		return " (" + prefix + (prefix.length() == 1 ? "P" : "") + unit + ")";
	}

}
