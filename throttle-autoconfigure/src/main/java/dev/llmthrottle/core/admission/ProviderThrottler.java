package dev.llmthrottle.core.admission;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.TimeSource;

/**
 * The throttler of one provider: a partition per API key or tenant, created on demand, capped in number, idle ones
 * evicted. Raw keys are hashed on the way in and never kept.
 */
public final class ProviderThrottler {

	private static final long EVICTION_GRACE_NANOS = 1_000_000_000L;

	private final String name;

	private final TimeSource time;

	private final PartitionKeys keys;

	private final ThrottleListener listener;

	private final ConcurrentHashMap<String, Partition> partitions = new ConcurrentHashMap<>();

	private final Partition defaultPartition;

	private final PartitionState.Factory states;

	private final Executor executor;

	private volatile ThrottlePolicy policy;

	/** A throttler whose partitions keep their state in this JVM. */
	public ProviderThrottler(ThrottlePolicy policy, TimeSource time, PartitionKeys keys, ThrottleListener listener) {
		this(policy, time, keys, listener, PartitionState.Factory.LOCAL, Runnable::run);
	}

	/**
	 * A throttler whose partitions keep their state where {@code states} puts it.
	 * @param executor where remote states are called (their attempts may block on I/O); unused for local states
	 */
	public ProviderThrottler(ThrottlePolicy policy, TimeSource time, PartitionKeys keys, ThrottleListener listener,
			PartitionState.Factory states, Executor executor) {
		this.name = policy.provider();
		this.policy = policy;
		this.time = time;
		this.keys = keys;
		this.listener = listener;
		this.states = states;
		this.executor = executor;
		this.defaultPartition = newPartition(PartitionKeys.DEFAULT);
		this.partitions.put(PartitionKeys.DEFAULT, this.defaultPartition);
	}

	public String name() {
		return this.name;
	}

	public ThrottlePolicy policy() {
		return this.policy;
	}

	/** The partition for a raw key ({@code null} or blank: the provider's default partition). */
	public Partition partition(String rawKey) {
		if (rawKey == null || rawKey.isBlank()) {
			return this.defaultPartition;
		}
		return partitionByHash(this.keys.hash(rawKey));
	}

	/** The partition for an already hashed key. */
	public Partition partitionByHash(String hashedKey) {
		Partition existing = this.partitions.get(hashedKey);
		if (existing != null) {
			existing.touch();
			return existing;
		}
		if (this.partitions.size() >= this.policy.maxPartitions()) {
			evictIdle();
			if (this.partitions.size() >= this.policy.maxPartitions()) {
				throw new PartitionLimitException(this.name, this.policy.maxPartitions());
			}
		}
		return this.partitions.computeIfAbsent(hashedKey, this::newPartition);
	}

	private Partition newPartition(String hashedKey) {
		return new Partition(this.policy, hashedKey, this.time, this.listener, this.states, this.executor);
	}

	/** The default partition. */
	public Partition defaultPartition() {
		return this.defaultPartition;
	}

	/** Every partition held now. */
	public Collection<Partition> partitions() {
		return List.copyOf(this.partitions.values());
	}

	/** Shortcut: admit on the partition of {@code rawKey}, see {@link Partition#acquire(Cost)}. */
	public Permit acquire(String rawKey, Cost cost) throws InterruptedException {
		return partition(rawKey).acquire(cost);
	}

	/** Shortcut: admit on the partition of {@code rawKey}, see {@link Partition#acquireAsync(Cost)}. */
	public CompletableFuture<Permit> acquireAsync(String rawKey, Cost cost) {
		return partition(rawKey).acquireAsync(cost);
	}

	/** Applies a new policy to every partition, keeping their state where the limits match. */
	public void apply(ThrottlePolicy newPolicy) {
		if (!newPolicy.provider().equals(this.name)) {
			throw new IllegalArgumentException("policy is for '" + newPolicy.provider() + "', not '" + this.name + "'");
		}
		this.policy = newPolicy;
		for (Partition partition : this.partitions.values()) {
			partition.apply(newPolicy);
		}
	}

	/** Removes partitions (other than the default) that hold nothing; returns how many went. */
	public int evictIdle() {
		int evicted = 0;
		for (Partition partition : this.partitions.values()) {
			// A partition looked up in the last EVICTION_GRACE may be about to admit through a reference its caller
			// holds; evicting it would let a second partition for the same key admit the same quota again.
			if (partition != this.defaultPartition && !partition.usedWithin(EVICTION_GRACE_NANOS)
					&& partition.isQuiescent() && this.partitions.remove(partition.key(), partition)) {
				evicted++;
			}
		}
		return evicted;
	}

}
