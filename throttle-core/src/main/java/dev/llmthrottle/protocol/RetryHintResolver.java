package dev.llmthrottle.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Finds the provider's wait hint in the order of protocol.md §8.2:
 * {@code retry-after-ms}, then {@code retry-after} (seconds or any HTTP-date), then the
 * body (Gemini {@code RetryInfo}, then a wait stated in the message: OpenAI "try again
 * in", Azure "retry after N seconds", Gemini "retry in"), then the reset header of a
 * dimension whose remaining count is 0 (or whose reset is an instant with no remaining
 * count beside it). A header that repeats counts with its largest valid value. A source
 * that is absent, malformed, zero or in the past is skipped, so a bad
 * {@code retry-after-ms} falls through to a good {@code retry-after}. When nothing is
 * found the result is empty and the caller uses jittered exponential backoff.
 */
public final class RetryHintResolver {

	private RetryHintResolver() {
	}

	/**
	 * Resolves the hint of one response.
	 * @param headers the response headers
	 * @param body the response body, may be {@code null}
	 * @param dialect the provider's dialect
	 * @param now the instant the response was received
	 * @param capMillis the longest wait the caller accepts (see
	 * {@link RetryHint#exceedsCap()})
	 * @return the hint, or empty for "use backoff"
	 */
	public static Optional<RetryHint> resolve(ProtocolHeaders headers, String body, Dialect dialect, Instant now,
			long capMillis) {
		RateLimitSnapshot snapshot = RateLimitHeaders.parse(headers, dialect, now);
		return resolve(headers, ErrorBody.parse(body), body, snapshot, LimitType.UNKNOWN, now, capMillis);
	}

	/**
	 * Resolves the hint from already parsed parts (as {@link ErrorClassifier} does).
	 * @param headers the response headers
	 * @param errorBody the parsed error body
	 * @param rawBody the raw body, scanned for a stated wait when the parsed message has
	 * none
	 * @param snapshot the parsed rate-limit headers
	 * @param concern the limit the error concerns; its reset is preferred when exhausted
	 * @param now the instant the response was received
	 * @param capMillis the longest wait the caller accepts
	 * @return the hint, or empty for "use backoff"
	 */
	public static Optional<RetryHint> resolve(ProtocolHeaders headers, ErrorBody errorBody, String rawBody,
			RateLimitSnapshot snapshot, LimitType concern, Instant now, long capMillis) {
		ProtocolHeaders safeHeaders = (headers != null) ? headers : ProtocolHeaders.empty();
		OptionalLong retryAfterMs = largest(safeHeaders.all("retry-after-ms"), TimeParsers::millisValue);
		if (positive(retryAfterMs)) {
			return hint(RetryHint.Source.RETRY_AFTER_MS, retryAfterMs, capMillis);
		}
		if (now != null) {
			OptionalLong retryAfter = largest(safeHeaders.all("retry-after"),
					(value) -> TimeParsers.retryAfterMillis(value, now));
			if (positive(retryAfter)) {
				return hint(RetryHint.Source.RETRY_AFTER, retryAfter, capMillis);
			}
		}
		ErrorBody parsed = (errorBody != null) ? errorBody : ErrorBody.NONE;
		OptionalLong retryInfo = parsed.retryDelay()
			.map(TimeParsers::protobufDurationMillis)
			.orElse(OptionalLong.empty());
		if (positive(retryInfo)) {
			return hint(RetryHint.Source.BODY_RETRY_INFO, retryInfo, capMillis);
		}
		OptionalLong stated = parsed.message().map(TimeParsers::textHintMillis).orElse(OptionalLong.empty());
		if (!positive(stated)) {
			stated = TimeParsers.textHintMillis(rawBody);
		}
		if (positive(stated)) {
			return hint(RetryHint.Source.BODY_MESSAGE, stated, capMillis);
		}
		OptionalLong reset = exhaustedReset(snapshot, (concern != null) ? concern : LimitType.UNKNOWN);
		if (positive(reset)) {
			return hint(RetryHint.Source.RATE_LIMIT_RESET, reset, capMillis);
		}
		return Optional.empty();
	}

	/**
	 * The reset of the exhausted dimension the error concerns, or else the longest reset
	 * among all exhausted dimensions (a call needs room in every one of them).
	 */
	private static OptionalLong exhaustedReset(RateLimitSnapshot snapshot, LimitType concern) {
		if (snapshot == null) {
			return OptionalLong.empty();
		}
		Optional<DimensionState> concerned = concern.dimension()
			.flatMap(snapshot::dimension)
			.filter(DimensionState::resetIsRetryHint)
			.filter((state) -> positive(state.resetMillis()));
		if (concerned.isPresent()) {
			return concerned.get().resetMillis();
		}
		long longest = 0;
		for (DimensionState state : snapshot.dimensions().values()) {
			if (state.resetIsRetryHint()) {
				longest = Math.max(longest, state.resetMillis().orElse(0));
			}
		}
		return OptionalLong.of(longest);
	}

	/**
	 * The largest valid value of a repeated header (protocol.md §8.4: proxies and CDNs
	 * append, and the first value can be the smaller one).
	 */
	private static OptionalLong largest(List<String> values, Function<String, OptionalLong> parser) {
		OptionalLong largest = OptionalLong.empty();
		for (String value : values) {
			OptionalLong parsed = parser.apply(value);
			if (parsed.isPresent() && (largest.isEmpty() || parsed.getAsLong() > largest.getAsLong())) {
				largest = parsed;
			}
		}
		return largest;
	}

	private static boolean positive(OptionalLong millis) {
		return millis.isPresent() && millis.getAsLong() > 0;
	}

	private static Optional<RetryHint> hint(RetryHint.Source source, OptionalLong millis, long capMillis) {
		return Optional.of(RetryHint.of(source, millis.getAsLong(), capMillis));
	}

}
