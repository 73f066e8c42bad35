package com.openai.errors;

/** Test stand-in for openai-java's root exception. */
public class OpenAIException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	protected OpenAIException(String message) {
		super(message);
	}

}
