package dev.llmthrottle.core.admission;

import dev.llmthrottle.core.ThrottleRejectedException;

/**
 * A new partition was needed but {@code max-partitions} are held and none is idle enough
 * to evict without losing its accounting.
 */
public class PartitionLimitException extends ThrottleRejectedException {

	private static final long serialVersionUID = 1L;

	public PartitionLimitException(String provider, int maxPartitions) {
		super(provider, "Provider '" + provider + "': " + maxPartitions
				+ " partitions are active (max-partitions) and none is idle");
	}

	@Override
	public String reason() {
		return "partitions-full";
	}

}
