package dev.llmthrottle.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads rate-limit headers into a {@link RateLimitSnapshot}, per dialect (protocol.md
 * §2).
 *
 * <ul>
 * <li>OpenAI, Groq: {@code x-ratelimit-{limit,remaining,reset}-{requests,tokens}}, resets
 * as Go durations; Groq's {@code -requests} counts per day.</li>
 * <li>Azure: the same names, resets as bare seconds (a Go duration is accepted too).</li>
 * <li>Anthropic:
 * {@code anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-*}, resets as
 * RFC 3339 instants.</li>
 * <li>OpenRouter: un-suffixed {@code x-ratelimit-*} for requests, reset as epoch
 * milliseconds.</li>
 * <li>Together: un-suffixed {@code x-ratelimit-*} for requests (reset in seconds) and
 * {@code x-tokenlimit-{limit,remaining}} for tokens.</li>
 * <li>Generic and Gemini: every shape above, accepting only reset formats that cannot be
 * misread (a bare number is not taken as seconds).</li>
 * </ul>
 * Limits below 1, negative or malformed counts, and a remaining count above the limit
 * make that part (or, when inconsistent, the whole dimension) unknown. Resets in the past
 * read as 0. A header that repeats counts with its largest valid value. A reset of 10
 * digits is an epoch in seconds, of 13 digits an epoch in milliseconds, in every dialect.
 * A reset header alone still makes a state.
 */
public final class RateLimitHeaders {

	private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");

	/**
	 * Epoch milliseconds have at least 12 digits from 1973 on; fewer would be a bare
	 * count.
	 */
	private static final int MIN_EPOCH_MILLIS_DIGITS = 12;

	private static final Optional<Duration> MINUTE = Optional.of(Duration.ofMinutes(1));

	private static final Optional<Duration> DAY = Optional.of(Duration.ofDays(1));

	private enum ResetFormat {

		GO, SECONDS_OR_GO, RFC_3339, EPOCH_MILLIS, UNAMBIGUOUS

	}

	/**
	 * A parsed reset: milliseconds from now, and the instant when the header stated one.
	 */
	private record Reset(long millis, Optional<Instant> at) {
	}

	private RateLimitHeaders() {
	}

	/**
	 * Reads the rate-limit headers of one response.
	 * @param headers the response headers
	 * @param dialect the provider's dialect
	 * @param now the instant the response was received, to turn reset instants into
	 * durations
	 * @return the snapshot, empty when no usable header is present
	 */
	public static RateLimitSnapshot parse(ProtocolHeaders headers, Dialect dialect, Instant now) {
		Dialect effective = (dialect != null) ? dialect : Dialect.GENERIC;
		if (headers == null || headers.isEmpty() || now == null) {
			return RateLimitSnapshot.empty(effective);
		}
		Map<RateDimension, DimensionState> states = new EnumMap<>(RateDimension.class);
		switch (effective) {
			case OPENAI:
				readSuffixed(headers, ResetFormat.GO, effective, now, states);
				break;
			case AZURE:
				readSuffixed(headers, ResetFormat.SECONDS_OR_GO, effective, now, states);
				break;
			case GROQ:
				readSuffixed(headers, ResetFormat.GO, effective, now, states);
				break;
			case ANTHROPIC:
				readAnthropic(headers, ResetFormat.RFC_3339, effective, now, states);
				break;
			case OPENROUTER:
				readUnsuffixed(headers, "x-ratelimit-", RateDimension.REQUESTS, ResetFormat.EPOCH_MILLIS, effective,
						now, states);
				readSuffixed(headers, ResetFormat.UNAMBIGUOUS, effective, now, states);
				break;
			case TOGETHER:
				readUnsuffixed(headers, "x-ratelimit-", RateDimension.REQUESTS, ResetFormat.SECONDS_OR_GO, effective,
						now, states);
				readUnsuffixed(headers, "x-tokenlimit-", RateDimension.TOKENS, ResetFormat.SECONDS_OR_GO, effective,
						now, states);
				readSuffixed(headers, ResetFormat.UNAMBIGUOUS, effective, now, states);
				break;
			default:
				readSuffixed(headers, ResetFormat.UNAMBIGUOUS, effective, now, states);
				readAnthropic(headers, ResetFormat.UNAMBIGUOUS, effective, now, states);
				readUnsuffixed(headers, "x-ratelimit-", RateDimension.REQUESTS, ResetFormat.UNAMBIGUOUS, effective, now,
						states);
				break;
		}
		return new RateLimitSnapshot(effective, states);
	}

	private static void readSuffixed(ProtocolHeaders headers, ResetFormat format, Dialect dialect, Instant now,
			Map<RateDimension, DimensionState> states) {
		for (RateDimension dimension : RateDimension.values()) {
			String id = dimension.id();
			read(headers, dimension, "x-ratelimit-limit-" + id, "x-ratelimit-remaining-" + id,
					"x-ratelimit-reset-" + id, format, dialect, now, states);
		}
	}

	private static void readAnthropic(ProtocolHeaders headers, ResetFormat format, Dialect dialect, Instant now,
			Map<RateDimension, DimensionState> states) {
		for (RateDimension dimension : RateDimension.values()) {
			String prefix = "anthropic-ratelimit-" + dimension.id();
			read(headers, dimension, prefix + "-limit", prefix + "-remaining", prefix + "-reset", format, dialect, now,
					states);
		}
	}

	private static void readUnsuffixed(ProtocolHeaders headers, String prefix, RateDimension dimension,
			ResetFormat format, Dialect dialect, Instant now, Map<RateDimension, DimensionState> states) {
		read(headers, dimension, prefix + "limit", prefix + "remaining", prefix + "reset", format, dialect, now,
				states);
	}

	private static void read(ProtocolHeaders headers, RateDimension dimension, String limitName, String remainingName,
			String resetName, ResetFormat format, Dialect dialect, Instant now,
			Map<RateDimension, DimensionState> states) {
		if (states.containsKey(dimension)) {
			return;
		}
		OptionalLong limit = largestCount(headers.all(limitName), 1);
		OptionalLong remaining = largestCount(headers.all(remainingName), 0);
		Optional<Reset> reset = largestReset(headers.all(resetName), format, now);
		if (limit.isEmpty() && remaining.isEmpty()
				&& (reset.isEmpty() || headers.contains(limitName) || headers.contains(remainingName))) {
			// nothing usable; or limit and remaining sent but invalid (Azure's -1 / -1 /
			// 0): all unknown
			return;
		}
		if (limit.isPresent() && remaining.isPresent() && remaining.getAsLong() > limit.getAsLong()) {
			return;
		}
		OptionalLong resetMillis = reset.map((r) -> OptionalLong.of(r.millis())).orElse(OptionalLong.empty());
		states.put(dimension, new DimensionState(dimension, limit, remaining, resetMillis, window(dialect, dimension),
				reset.flatMap(Reset::at)));
	}

	/**
	 * The largest valid count among a header's values (protocol.md §8.4: proxies and CDNs
	 * append, so the first value can be the smaller one).
	 */
	private static OptionalLong largestCount(List<String> values, long min) {
		OptionalLong largest = OptionalLong.empty();
		for (String value : values) {
			if (DIGITS.matcher(value).matches()) {
				long count = Long.parseLong(value);
				if (count >= min && (largest.isEmpty() || count > largest.getAsLong())) {
					largest = OptionalLong.of(count);
				}
			}
		}
		return largest;
	}

	private static Optional<Reset> largestReset(List<String> values, ResetFormat format, Instant now) {
		Optional<Reset> largest = Optional.empty();
		for (String value : values) {
			Optional<Reset> reset = reset(value, format, now);
			if (reset.isPresent() && (largest.isEmpty() || reset.get().millis() > largest.get().millis())) {
				largest = reset;
			}
		}
		return largest;
	}

	private static Optional<Reset> reset(String value, ResetFormat format, Instant now) {
		// 10 digits are epoch seconds, 13 epoch milliseconds, whatever the dialect
		// (protocol.md §8.5): as a
		// duration either would be decades.
		Optional<Instant> epoch = TimeParsers.epoch(value);
		if (epoch.isPresent()) {
			return until(epoch, now);
		}
		switch (format) {
			case GO:
				return duration(TimeParsers.goDurationMillis(value));
			case SECONDS_OR_GO:
				OptionalLong seconds = TimeParsers.secondsMillis(value);
				return duration(seconds.isPresent() ? seconds : TimeParsers.goDurationMillis(value));
			case RFC_3339:
				return until(TimeParsers.rfc3339(value), now);
			case EPOCH_MILLIS:
				return until(TimeParsers.epochMillis(value), now);
			default:
				OptionalLong go = TimeParsers.goDurationMillis(value);
				if (go.isPresent()) {
					return duration(go);
				}
				Optional<Instant> instant = TimeParsers.rfc3339(value);
				if (instant.isEmpty() && value.length() >= MIN_EPOCH_MILLIS_DIGITS) {
					instant = TimeParsers.epochMillis(value);
				}
				return until(instant, now);
		}
	}

	private static Optional<Reset> duration(OptionalLong millis) {
		return millis.isPresent() ? Optional.of(new Reset(millis.getAsLong(), Optional.empty())) : Optional.empty();
	}

	private static Optional<Reset> until(Optional<Instant> instant, Instant now) {
		if (instant.isEmpty()) {
			return Optional.empty();
		}
		OptionalLong millis = TimeParsers.untilMillis(instant.get(), now);
		return millis.isPresent() ? Optional.of(new Reset(millis.getAsLong(), instant)) : Optional.empty();
	}

	private static Optional<Duration> window(Dialect dialect, RateDimension dimension) {
		switch (dialect) {
			case OPENAI:
			case AZURE:
				return (dimension == RateDimension.REQUESTS || dimension == RateDimension.TOKENS) ? MINUTE
						: Optional.empty();
			case ANTHROPIC:
				return MINUTE;
			case GROQ:
				return (dimension == RateDimension.REQUESTS) ? DAY : MINUTE;
			default:
				return Optional.empty();
		}
	}

}
