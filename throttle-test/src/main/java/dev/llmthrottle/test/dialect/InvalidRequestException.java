package dev.llmthrottle.test.dialect;

/** A request the simulator refuses with 400 before admission. */
public final class InvalidRequestException extends Exception {

	private static final long serialVersionUID = 1L;

	/** With the message returned to the client. */
	public InvalidRequestException(String message) {
		super(message);
	}

}
