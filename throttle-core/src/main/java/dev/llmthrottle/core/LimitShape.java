package dev.llmthrottle.core;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How the limit of one dimension over one period is spent: its {@link Enforcement} and,
 * in the paced mode, its own burst. Kept apart from {@link Limit} because it survives a
 * change of the amount (a limit learned from the provider keeps its shape).
 *
 * @param dimension the limit's dimension
 * @param period the limit's period
 * @param enforcement how the provider counts it
 * @param burst the paced burst of this limit, or {@code null} for the provider's
 */
public record LimitShape(Dimension dimension, Duration period, Enforcement enforcement, @Nullable Duration burst) {

	public LimitShape {
		Objects.requireNonNull(dimension, "dimension");
		Objects.requireNonNull(period, "period");
		Objects.requireNonNull(enforcement, "enforcement");
		if (burst != null && burst.isNegative()) {
			throw new IllegalArgumentException("burst must not be negative");
		}
	}

	/** Whether this shape is the one of {@code limit} (same dimension and period). */
	public boolean shapes(Limit limit) {
		return this.dimension == limit.dimension() && this.period.equals(limit.period());
	}

}
