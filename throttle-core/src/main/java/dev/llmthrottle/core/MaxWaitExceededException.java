package dev.llmthrottle.core;

import java.time.Duration;

/**
 * The call would have to wait longer than {@code max-wait}. Thrown at once when the wait
 * is foreseeable, otherwise when the deadline passes; carries what blocked the call and
 * the wait it would have needed.
 */
public class MaxWaitExceededException extends ThrottleRejectedException {

	private static final long serialVersionUID = 1L;

	private final String blockedBy;

	private final Duration needed;

	private final Duration maxWait;

	public MaxWaitExceededException(String provider, String blockedBy, Duration needed, Duration maxWait) {
		super(provider,
				"Provider '" + provider + "': admission would need "
						+ ((needed != null) ? "at least " + DurationFormat.format(needed) : "longer than max-wait")
						+ ", more than max-wait " + DurationFormat.format(maxWait) + "; blocked by " + blockedBy);
		this.blockedBy = blockedBy;
		this.needed = needed;
		this.maxWait = maxWait;
	}

	/** What the call was waiting on: a limit, {@code concurrency} or {@code cooldown}. */
	public String blockedBy() {
		return this.blockedBy;
	}

	/** The wait the call would have needed, when known. */
	public Duration needed() {
		return this.needed;
	}

	public Duration maxWait() {
		return this.maxWait;
	}

	@Override
	public String reason() {
		return "max-wait";
	}

}
