package com.openai.errors;

import java.util.Optional;

import com.openai.core.JsonValue;
import com.openai.core.http.Headers;

/** Test stand-in for one of openai-java's concrete service exceptions, for any status. */
public final class UnexpectedStatusCodeException extends OpenAIServiceException {

	private static final long serialVersionUID = 1L;

	private final int statusCode;

	private final transient Headers headers;

	private final transient JsonValue body;

	public UnexpectedStatusCodeException(int statusCode, Headers headers, JsonValue body) {
		super(statusCode + ": " + body);
		this.statusCode = statusCode;
		this.headers = headers;
		this.body = body;
	}

	@Override
	public int statusCode() {
		return this.statusCode;
	}

	@Override
	public Headers headers() {
		return this.headers;
	}

	@Override
	public JsonValue body() {
		return this.body;
	}

	@Override
	public Optional<String> code() {
		return Optional.empty();
	}

	@Override
	public Optional<String> param() {
		return Optional.empty();
	}

	@Override
	public Optional<String> type() {
		return Optional.empty();
	}

}
