package dev.llmthrottle.core;

/**
 * The partition already has {@code max-queue} callers waiting; rejecting the next one
 * keeps memory bounded.
 */
public class QueueFullException extends ThrottleRejectedException {

	private static final long serialVersionUID = 1L;

	public QueueFullException(String provider, int maxQueue) {
		super(provider, "Provider '" + provider + "': " + maxQueue + " calls are already waiting (max-queue)");
	}

	@Override
	public String reason() {
		return "queue-full";
	}

}
