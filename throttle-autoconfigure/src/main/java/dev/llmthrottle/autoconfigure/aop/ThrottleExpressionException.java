package dev.llmthrottle.autoconfigure.aop;

/**
 * An {@code @LlmThrottled} expression could not be evaluated for a call, or gave an
 * unusable value (a token estimate that is not a non-negative number). Thrown before
 * anything is admitted; names the method and the expression, never the argument values.
 */
public class ThrottleExpressionException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	public ThrottleExpressionException(String message) {
		super(message);
	}

	public ThrottleExpressionException(String message, Throwable cause) {
		super(message, cause);
	}

}
