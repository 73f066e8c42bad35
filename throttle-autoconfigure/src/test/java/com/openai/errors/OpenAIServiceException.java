package com.openai.errors;

import java.util.Optional;

import com.openai.core.JsonValue;
import com.openai.core.http.Headers;

/**
 * Test stand-in for openai-java's {@code OpenAIServiceException}, with the same public
 * abstract methods. The advisor recognises it by name and reads it reflectively; the real
 * SDK is not a dependency of the starter.
 */
public abstract class OpenAIServiceException extends OpenAIException {

	private static final long serialVersionUID = 1L;

	protected OpenAIServiceException(String message) {
		super(message);
	}

	public abstract int statusCode();

	public abstract Headers headers();

	public abstract JsonValue body();

	public abstract Optional<String> code();

	public abstract Optional<String> param();

	public abstract Optional<String> type();

}
