package dev.llmthrottle.bench.accuracy;

/**
 * How one call ended.
 *
 * @param ok whether it finally succeeded (HTTP 200)
 * @param failure why not, e.g. {@code HTTP 429} or an exception's class name;
 * {@code null} when it succeeded
 */
public record Outcome(boolean ok, String failure) {

	public static final Outcome OK = new Outcome(true, null);

	/** A failed call, for the reason given. */
	public static Outcome failed(String failure) {
		return new Outcome(false, failure);
	}

	/** A failed call, for the exception's class and message. */
	public static Outcome failed(Throwable ex) {
		String message = (ex.getMessage() != null) ? ex.getMessage() : "";
		message = (message.length() > 160) ? message.substring(0, 160) + "..." : message;
		return new Outcome(false, ex.getClass().getSimpleName() + ": " + message);
	}

}
