package dev.llmthrottle.core.admission;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns raw partition keys (API keys, tenant ids) into the only form ever stored, logged
 * or exported: a truncated HMAC-SHA256 under a secret. A plain hash of a low-entropy
 * tenant id could be reversed by guessing; a keyed one cannot without the secret.
 * Instances sharing a quota through Redis must share the secret.
 */
public final class PartitionKeys {

	/** The key of a provider's default partition (no key given). */
	public static final String DEFAULT = "default";

	private final SecretKeySpec secret;

	/** Hashes under {@code secret}. */
	public PartitionKeys(byte[] secret) {
		if (secret.length < 16) {
			throw new IllegalArgumentException("partition key secret must have at least 16 bytes");
		}
		this.secret = new SecretKeySpec(secret.clone(), "HmacSHA256");
	}

	/** Hashes under a random secret: stable for this process only. */
	public static PartitionKeys withRandomSecret() {
		byte[] secret = new byte[32];
		new SecureRandom().nextBytes(secret);
		return new PartitionKeys(secret);
	}

	/** The hashed form of {@code rawKey}, or {@link #DEFAULT} for a null or blank key. */
	public String hash(String rawKey) {
		if (rawKey == null || rawKey.isBlank()) {
			return DEFAULT;
		}
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(this.secret);
			byte[] digest = mac.doFinal(rawKey.getBytes(StandardCharsets.UTF_8));
			return "k" + HexFormat.of().formatHex(digest, 0, 12);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is unavailable", ex);
		}
	}

}
