package dev.llmthrottle.core;

import java.time.Duration;
import java.util.Locale;

/**
 * How the provider is declared to count a {@link Limit}, which decides how much of its
 * window may be spent at once. The exact trailing window of the limit holds in every
 * mode; the mode only sets how far admissions may run ahead of the limit's steady rate.
 *
 * <ul>
 * <li>{@link #PACED} (the default): calls are spread at the steady rate with the
 * configured burst, safe against every enforcement model, including a per-minute limit
 * quantized per second.</li>
 * <li>{@link #SLIDING_WINDOW}: the whole amount may go at once, then nothing more until
 * the oldest admission leaves the trailing window.</li>
 * <li>{@link #TOKEN_BUCKET}: a bucket of capacity {@code amount} refilled at
 * {@code amount / period}; with the trailing window as guard, it admits the same as
 * sliding-window.</li>
 * <li>{@link #FIXED_WINDOW}: the provider counts per aligned window whose boundaries we
 * cannot see (nor its clock), so the only schedule safe for every alignment is the
 * trailing window: it is enforced exactly as sliding-window, never by exploiting a
 * boundary.</li>
 * </ul>
 * A mode other than paced is unsafe against a provider that quantizes (per-second
 * enforcement of a per-minute figure): declare it only when the provider documents that
 * window shape for that limit.
 */
public enum Enforcement {

	PACED("paced"), SLIDING_WINDOW("sliding-window"), TOKEN_BUCKET("token-bucket"), FIXED_WINDOW("fixed-window");

	private final String id;

	Enforcement(String id) {
		this.id = id;
	}

	/** The name used in configuration, e.g. {@code sliding-window}. */
	public String id() {
		return this.id;
	}

	/**
	 * How far admissions of {@code limit} may run ahead of its steady rate in this mode.
	 * @param limit the limit as it stands (its amount may have been learned)
	 * @param pacedBurst the burst configured for the paced mode
	 */
	public Duration burst(Limit limit, Duration pacedBurst) {
		return switch (this) {
			case PACED -> pacedBurst;
			// capacity = amount: the amount-th unit admitted at once is (amount - 1)
			// emission intervals ahead
			case TOKEN_BUCKET -> limit.period().minus(limit.period().dividedBy(limit.amount()));
			// pacing never binds: the trailing window alone decides
			case SLIDING_WINDOW, FIXED_WINDOW -> limit.period();
		};
	}

	/**
	 * Parses the configuration form ({@code sliding-window}, {@code SLIDING_WINDOW},
	 * {@code sliding_window}).
	 * @throws IllegalArgumentException naming the accepted values
	 */
	public static Enforcement of(String text) {
		String normalized = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
		for (Enforcement enforcement : values()) {
			if (enforcement.id.equals(normalized)) {
				return enforcement;
			}
		}
		throw new IllegalArgumentException(
				"unknown enforcement '" + text + "' (expected paced, sliding-window, token-bucket or fixed-window)");
	}

	@Override
	public String toString() {
		return this.id;
	}

}
