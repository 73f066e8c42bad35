package dev.llmthrottle.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one response's rate-limit headers say, per dimension; produced by
 * {@link RateLimitHeaders#parse(ProtocolHeaders, Dialect, java.time.Instant)}. A
 * dimension the headers say nothing usable about is absent, so an empty snapshot means
 * "change nothing".
 *
 * @param dialect the dialect the headers were read as
 * @param dimensions the dimensions with at least a known limit or remaining count
 */
public record RateLimitSnapshot(Dialect dialect, Map<RateDimension, DimensionState> dimensions) {

	public RateLimitSnapshot {
		Objects.requireNonNull(dialect, "dialect");
		Map<RateDimension, DimensionState> copy = new EnumMap<>(RateDimension.class);
		if (dimensions != null) {
			copy.putAll(dimensions);
		}
		dimensions = Collections.unmodifiableMap(copy);
	}

	/** A snapshot that reports nothing. */
	public static RateLimitSnapshot empty(Dialect dialect) {
		return new RateLimitSnapshot(dialect, Map.of());
	}

	/** The state of one dimension, if the headers reported it. */
	public Optional<DimensionState> dimension(RateDimension dimension) {
		return Optional.ofNullable(this.dimensions.get(dimension));
	}

	/** Whether no dimension was reported. */
	public boolean isEmpty() {
		return this.dimensions.isEmpty();
	}

	/** The dimensions the provider reports as having nothing left, in enum order. */
	public List<DimensionState> exhausted() {
		List<DimensionState> result = new ArrayList<>();
		for (DimensionState state : this.dimensions.values()) {
			if (state.exhausted()) {
				result.add(state);
			}
		}
		return result;
	}

}
