package dev.llmthrottle.autoconfigure.web;

import java.util.Locale;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * Finds the credential a request carries, so that each API key gets its own partition
 * (providers enforce limits per key). The value is handed straight to the partition-key
 * hasher and kept nowhere else. Shared by every HTTP adapter (Spring's clients, OkHttp).
 */
public final class CredentialKeys {

	private CredentialKeys() {
	}

	/**
	 * The raw credential of {@code headers} ({@code Authorization}, {@code x-api-key},
	 * {@code api-key}), or null.
	 */
	static @Nullable String rawKey(HttpHeaders headers) {
		return rawKey(headers::getFirst);
	}

	/**
	 * The raw credential of a request whose first value of a header (case-insensitive
	 * name, {@code null} when absent) {@code firstHeader} returns, or null.
	 */
	public static @Nullable String rawKey(Function<String, @Nullable String> firstHeader) {
		String authorization = firstHeader.apply(HttpHeaders.AUTHORIZATION);
		if (authorization != null && !authorization.isBlank()) {
			String value = authorization.trim();
			return value.toLowerCase(Locale.ROOT).startsWith("bearer ") ? value.substring(7).trim() : value;
		}
		String apiKey = firstHeader.apply("x-api-key");
		if (apiKey != null && !apiKey.isBlank()) {
			return apiKey.trim();
		}
		String azureKey = firstHeader.apply("api-key");
		return (azureKey != null && !azureKey.isBlank()) ? azureKey.trim() : null;
	}

}
