package dev.llmthrottle.core;

/**
 * The call's cost exceeds what a limit can ever admit, so waiting would never help.
 * Thrown at once.
 */
public class RequestTooLargeException extends ThrottleRejectedException {

	private static final long serialVersionUID = 1L;

	private final transient Limit limit;

	private final long cost;

	public RequestTooLargeException(String provider, Limit limit, long cost) {
		super(provider, "Provider '" + provider + "': a cost of " + cost + " " + limit.dimension().id()
				+ " can never be admitted by the limit of " + limit);
		this.limit = limit;
		this.cost = cost;
	}

	public Limit limit() {
		return this.limit;
	}

	public long cost() {
		return this.cost;
	}

	@Override
	public String reason() {
		return "too-large";
	}

}
