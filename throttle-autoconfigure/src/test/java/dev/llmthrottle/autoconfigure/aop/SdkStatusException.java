package dev.llmthrottle.autoconfigure.aop;

import java.util.Optional;

import com.openai.core.JsonValue;
import com.openai.core.http.Headers;
import com.openai.errors.OpenAIServiceException;

/**
 * An openai-java service exception with any status, headers and body (the SDK's own
 * concrete exceptions take a typed error object): the advisor recognises it by its SDK
 * base class and reads it reflectively.
 */
public final class SdkStatusException extends OpenAIServiceException {

	private static final long serialVersionUID = 1L;

	private final int statusCode;

	private final transient Headers headers;

	private final transient JsonValue body;

	public SdkStatusException(int statusCode, Headers headers, JsonValue body) {
		super(statusCode + ": " + body, null);
		this.statusCode = statusCode;
		this.headers = headers;
		this.body = body;
	}

	/** SDK headers from alternating names and values. */
	public static Headers sdkHeaders(String... namesAndValues) {
		Headers.Builder builder = Headers.builder();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			builder.put(namesAndValues[i], namesAndValues[i + 1]);
		}
		return builder.build();
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
