package dev.llmthrottle.core.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.PartitionKeys;

/**
 * The Redis keys of one partition: {@code <prefix>:{<provider>:<key>}:<suffix>}. The
 * braces are a Cluster hash tag, so every key of a partition lives in one slot and one
 * script can touch them all (SCG#248). The partition key is the keyed hash from
 * {@link PartitionKeys}; anything that does not look like one is hashed again, so no raw
 * key material can ever reach Redis.
 *
 * @param state the hash with pacing instants, window sums and bucket amounts
 * @param leases the sorted set of concurrency leases (id to expiry)
 * @param cooldown the string holding the cooldown reason, with its expiry
 * @param prefix the part every key of the partition starts with, up to and including the
 * hash tag
 */
public record RedisKeys(String state, String leases, String cooldown, String prefix) {

	private static final Pattern HASHED = Pattern.compile("default|k[0-9a-f]{24}");

	private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

	/** The keys of partition {@code partitionKey} of {@code provider}. */
	public static RedisKeys of(String keyPrefix, String provider, String partitionKey) {
		String tag = "{" + safeName(provider) + ":" + safeKey(partitionKey) + "}";
		String prefix = keyPrefix + ":" + tag;
		return new RedisKeys(prefix + ":s", prefix + ":l", prefix + ":c", prefix);
	}

	/** The sorted set of one limit's window buckets. */
	public String window(Limit limit) {
		return this.prefix + ":w:" + limitId(limit);
	}

	/**
	 * How a limit is named inside the partition: dimension initial and period in
	 * microseconds.
	 */
	public static String limitId(Limit limit) {
		return limit.dimension().id().charAt(0) + Long.toString(limit.period().toNanos() / 1000);
	}

	private static String safeName(String provider) {
		return PLAIN_NAME.matcher(provider).matches() ? provider : "p" + sha256(provider);
	}

	private static String safeKey(String partitionKey) {
		return HASHED.matcher(partitionKey).matches() ? partitionKey : "x" + sha256(partitionKey);
	}

	private static String sha256(String text) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 12);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is unavailable", ex);
		}
	}

}
