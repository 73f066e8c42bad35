package dev.llmthrottle.autoconfigure.events;

import java.util.Locale;
import java.util.Set;

/**
 * Normalizes the limit type of a 429 to one of a fixed set, so that it is safe as a
 * metric tag or a map key whatever a caller passes.
 */
public final class LimitTypes {

	/** A limit type that is not stated or not recognized. */
	public static final String UNKNOWN = "unknown";

	private static final Set<String> KNOWN = Set.of("requests", "tokens", "input-tokens", "output-tokens");

	private LimitTypes() {
	}

	/**
	 * {@code requests}, {@code tokens}, {@code input-tokens}, {@code output-tokens} or
	 * {@code unknown}; accepts the enum-style spelling ({@code INPUT_TOKENS}).
	 */
	public static String normalize(String limitType) {
		if (limitType == null) {
			return UNKNOWN;
		}
		String normalized = limitType.trim().toLowerCase(Locale.ROOT).replace('_', '-');
		return KNOWN.contains(normalized) ? normalized : UNKNOWN;
	}

}
