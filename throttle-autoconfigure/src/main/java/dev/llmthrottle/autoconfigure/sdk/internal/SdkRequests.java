package dev.llmthrottle.autoconfigure.sdk.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Reads what admission needs from an SDK request: the credential it carries (for the
 * key's partition; handed to the hasher, kept nowhere) and its JSON body (for the cost
 * estimate), bounded.
 */
public final class SdkRequests {

	/**
	 * Bodies larger than this are not read for the estimate (the default cost applies).
	 */
	public static final int MAX_BODY = 8 * 1024 * 1024;

	private SdkRequests() {
	}

	/**
	 * The raw credential ({@code Authorization} bearer, {@code x-api-key},
	 * {@code api-key}), or null.
	 */
	public static @Nullable String rawKey(Function<String, List<String>> headerValues) {
		String authorization = first(headerValues.apply("Authorization"));
		if (authorization != null) {
			String value = authorization.trim();
			return value.toLowerCase(Locale.ROOT).startsWith("bearer ") ? value.substring(7).trim() : value;
		}
		String apiKey = first(headerValues.apply("x-api-key"));
		if (apiKey != null) {
			return apiKey.trim();
		}
		String azureKey = first(headerValues.apply("api-key"));
		return (azureKey != null) ? azureKey.trim() : null;
	}

	private static @Nullable String first(@Nullable List<String> values) {
		if (values == null) {
			return null;
		}
		for (String value : values) {
			if (value != null && !value.isBlank()) {
				return value;
			}
		}
		return null;
	}

	/** Writes a body. */
	@FunctionalInterface
	public interface BodyWriter {

		void writeTo(OutputStream out) throws IOException;

	}

	/**
	 * The body's bytes when it is JSON, repeatable (reading it does not consume it) and
	 * no larger than {@link #MAX_BODY}; otherwise empty (the estimate falls back to the
	 * default cost). Never throws.
	 */
	public static byte[] jsonBody(@Nullable String contentType, long contentLength, boolean repeatable,
			BodyWriter writer) {
		if (!repeatable || contentLength > MAX_BODY || contentType == null
				|| !contentType.toLowerCase(Locale.ROOT).contains("json")) {
			return new byte[0];
		}
		BoundedOutput out = new BoundedOutput();
		try {
			writer.writeTo(out);
			return out.toByteArray();
		}
		catch (IOException | RuntimeException ex) {
			return new byte[0];
		}
	}

	private static final class BoundedOutput extends ByteArrayOutputStream {

		@Override
		public synchronized void write(byte[] bytes, int offset, int length) {
			check(length);
			super.write(bytes, offset, length);
		}

		@Override
		public synchronized void write(int b) {
			check(1);
			super.write(b);
		}

		private void check(int more) {
			if (size() + (long) more > MAX_BODY) {
				throw new IllegalStateException("request body larger than " + MAX_BODY + " bytes");
			}
		}

	}

}
