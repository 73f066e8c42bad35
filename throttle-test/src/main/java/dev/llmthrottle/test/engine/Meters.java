package dev.llmthrottle.test.engine;

import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Limit;
import java.time.Duration;
import java.util.SplittableRandom;

/** Creates the meter that implements a limit under an enforcement model. */
final class Meters {

	private Meters() {
	}

	/**
	 * @param epoch the enforcer's epoch (reading of its clock when the state began)
	 * @param offsets source of the random window offsets (one draw per window meter)
	 */
	static Meter create(EnforcementModel model, Limit limit, Duration quantum, long epoch, SplittableRandom offsets) {
		switch (model) {
			case TOKEN_BUCKET:
				return new TokenBucketMeter(limit, epoch);
			case SLIDING_WINDOW:
				return new SlidingWindowMeter(limit);
			case FIXED_WINDOW:
				return new FixedWindowMeter(limit, epoch + offsets.nextLong(limit.periodNanos()));
			case QUANTIZED:
				if (limit.dimension().isTokens()) {
					return new FixedWindowMeter(limit, epoch + offsets.nextLong(limit.periodNanos()));
				}
				long q = Math.min(quantum.toNanos(), limit.periodNanos());
				return new QuantizedMeter(limit, quantum, epoch + offsets.nextLong(q));
			default:
				throw new IllegalStateException("Unknown model " + model);
		}
	}

}
