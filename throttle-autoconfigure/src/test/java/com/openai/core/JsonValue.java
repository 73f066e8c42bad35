package com.openai.core;

/**
 * Test stand-in for openai-java's {@code JsonValue}: like the real one,
 * {@code toString()} of an object prints the map's entries
 * ({@code {type=insufficient_quota}}), which is not JSON, and {@code convert(Class)}
 * turns the value into plain Java maps, lists and scalars.
 */
public final class JsonValue {

	private final Object value;

	private JsonValue(Object value) {
		this.value = value;
	}

	/** Wraps plain Java values (maps, lists, strings, numbers). */
	public static JsonValue from(Object value) {
		return new JsonValue(value);
	}

	public <R> R convert(Class<R> type) {
		return type.cast(this.value);
	}

	@Override
	public String toString() {
		return String.valueOf(this.value);
	}

}
