package dev.llmthrottle.autoconfigure.web;

import java.util.Locale;

import org.springframework.http.HttpHeaders;

/**
 * Finds the credential a request carries, so that each API key gets its own partition
 * (providers enforce limits per key). The value is handed straight to the partition-key
 * hasher and kept nowhere else.
 */
final class CredentialKeys {

	private CredentialKeys() {
	}

	/**
	 * The raw credential of {@code headers} ({@code Authorization}, {@code x-api-key},
	 * {@code api-key}), or null.
	 */
	static String rawKey(HttpHeaders headers) {
		String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
		if (authorization != null && !authorization.isBlank()) {
			String value = authorization.trim();
			return value.toLowerCase(Locale.ROOT).startsWith("bearer ") ? value.substring(7).trim() : value;
		}
		String apiKey = headers.getFirst("x-api-key");
		if (apiKey != null && !apiKey.isBlank()) {
			return apiKey.trim();
		}
		String azureKey = headers.getFirst("api-key");
		return (azureKey != null && !azureKey.isBlank()) ? azureKey.trim() : null;
	}

}
