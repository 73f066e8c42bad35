package dev.llmthrottle.autoconfigure.events;

/**
 * The kinds of {@link ThrottleEvent}; {@link #id()} is what events carry and endpoints
 * show.
 */
public enum ThrottleEventType {

	/**
	 * A call was refused before it was sent (too large, max-wait, queue full, partitions
	 * full).
	 */
	REJECTED("rejected"),

	/** The provider answered 429. */
	RATE_LIMITED("rate-limited"),

	/** A refused call is retried. */
	RETRIED("retried"),

	/** Every caller of a partition is paused. */
	COOLDOWN_STARTED("cooldown-started"),

	/** A pause has run out. */
	COOLDOWN_LIFTED("cooldown-lifted"),

	/** The provider reported a limit that is now in force. */
	LIMIT_LEARNED("limit-learned"),

	/** An operator changed the configured limits at runtime. */
	LIMITS_CHANGED("limits-changed"),

	/** The provider reported a quota that retrying will not restore. */
	QUOTA_EXHAUSTED("quota-exhausted"),

	/** The shared backend failed and the failure policy applies. */
	BACKEND_DEGRADED("backend-degraded");

	private final String id;

	ThrottleEventType(String id) {
		this.id = id;
	}

	/** The kebab-case name, e.g. {@code rate-limited}. */
	public String id() {
		return this.id;
	}

}
