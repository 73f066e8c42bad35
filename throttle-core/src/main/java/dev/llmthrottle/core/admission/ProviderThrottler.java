package dev.llmthrottle.core.admission;

import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.TimeSource;
import org.jspecify.annotations.Nullable;

/**
 * The throttler of one provider: a partition per API key or tenant, created on demand,
 * capped in number, idle ones evicted. Raw keys are hashed on the way in and never kept.
 *
 * <p>
 * Eviction never loses accounting and never lets two partitions admit for one key: only a
 * partition with nothing in flight or queued and an idle state is evicted, and it is
 * retired first, atomically with its admissions, so that a reference kept from before (a
 * filter holding it across a retry backoff) forwards to the partition in force. When
 * {@code max-partitions} are held, a lookup of a new key examines at most
 * {@value #EVICTION_BUDGET} partitions from where the previous one stopped (a clock
 * hand), so a refusal costs the same at 10 partitions as at 10,000; a partition that has
 * become idle is found within {@code max-partitions / }{@value #EVICTION_BUDGET} lookups.
 */
public final class ProviderThrottler {

	/** Partitions examined per lookup that finds the throttler full. */
	static final int EVICTION_BUDGET = 64;

	private final String name;

	private final TimeSource time;

	private final PartitionKeys keys;

	private final ThrottleListener listener;

	private final ConcurrentHashMap<String, Partition> partitions = new ConcurrentHashMap<>();

	private final Partition defaultPartition;

	private final PartitionState.Factory states;

	private final Executor executor;

	private volatile ThrottlePolicy policy;

	private final ReentrantLock evictionLock = new ReentrantLock();

	/**
	 * Where the next eviction looks (guarded by {@link #evictionLock}); weakly
	 * consistent, restarted at the end.
	 */
	private Iterator<Partition> hand;

	/** A throttler whose partitions keep their state in this JVM. */
	public ProviderThrottler(ThrottlePolicy policy, TimeSource time, PartitionKeys keys, ThrottleListener listener) {
		this(policy, time, keys, listener, PartitionState.Factory.LOCAL, Runnable::run);
	}

	/**
	 * A throttler whose partitions keep their state where {@code states} puts it.
	 * @param executor where remote states are called (their attempts may block on I/O);
	 * unused for local states
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

	/**
	 * The partition for a raw key ({@code null} or blank: the provider's default
	 * partition).
	 */
	public Partition partition(@Nullable String rawKey) {
		if (rawKey == null || rawKey.isBlank()) {
			return this.defaultPartition;
		}
		return partitionByHash(this.keys.hash(rawKey));
	}

	/** The partition for an already hashed key. */
	public Partition partitionByHash(String hashedKey) {
		Partition existing = this.partitions.get(hashedKey);
		if (existing != null) {
			if (!existing.isRetired()) {
				existing.touch();
				return existing;
			}
			// evicted a moment ago and not yet removed by the evicting thread
			this.partitions.remove(hashedKey, existing);
		}
		int max = this.policy.maxPartitions();
		if (this.partitions.size() >= max) {
			evictSome();
			if (this.partitions.size() >= max) {
				PartitionLimitException refused = new PartitionLimitException(this.name, max);
				this.listener.partitionLimitReached(this.name, refused);
				throw refused;
			}
		}
		while (true) {
			Partition partition = this.partitions.computeIfAbsent(hashedKey, this::newPartition);
			if (!partition.isRetired()) {
				return partition;
			}
			this.partitions.remove(hashedKey, partition);
		}
	}

	/** The partition held for a hashed key, or {@code null}. */
	@Nullable Partition existing(String hashedKey) {
		return this.partitions.get(hashedKey);
	}

	private Partition newPartition(String hashedKey) {
		return new Partition(this.policy, hashedKey, this.time, this.listener, this.states, this.executor, this);
	}

	/** The default partition. */
	public Partition defaultPartition() {
		return this.defaultPartition;
	}

	/** Every partition held now. */
	public Collection<Partition> partitions() {
		return List.copyOf(this.partitions.values());
	}

	/**
	 * Shortcut: admit on the partition of {@code rawKey}, see
	 * {@link Partition#acquire(Cost)}.
	 */
	public Permit acquire(String rawKey, Cost cost) throws InterruptedException {
		return partition(rawKey).acquire(cost);
	}

	/**
	 * Shortcut: admit on the partition of {@code rawKey}, see
	 * {@link Partition#acquireAsync(Cost)}.
	 */
	public CompletableFuture<Permit> acquireAsync(String rawKey, Cost cost) {
		return partition(rawKey).acquireAsync(cost);
	}

	/**
	 * Applies a new policy to every partition, keeping their state where the limits
	 * match.
	 */
	public void apply(ThrottlePolicy newPolicy) {
		if (!newPolicy.provider().equals(this.name)) {
			throw new IllegalArgumentException("policy is for '" + newPolicy.provider() + "', not '" + this.name + "'");
		}
		this.policy = newPolicy;
		for (Partition partition : this.partitions.values()) {
			partition.apply(newPolicy);
		}
	}

	/**
	 * Removes every partition (other than the default) that holds nothing; returns how
	 * many went.
	 */
	public int evictIdle() {
		int evicted = 0;
		for (Partition partition : this.partitions.values()) {
			if (evict(partition)) {
				evicted++;
			}
		}
		return evicted;
	}

	/**
	 * Examines at most {@value #EVICTION_BUDGET} partitions from the clock hand on (every
	 * one when there are no more) and evicts those that hold nothing.
	 */
	private int evictSome() {
		this.evictionLock.lock();
		try {
			int evicted = 0;
			boolean restarted = false;
			for (int examined = 0; examined < EVICTION_BUDGET; examined++) {
				if (this.hand == null || !this.hand.hasNext()) {
					if (restarted) {
						break;
					}
					this.hand = this.partitions.values().iterator();
					restarted = true;
					if (!this.hand.hasNext()) {
						break;
					}
				}
				if (evict(this.hand.next())) {
					evicted++;
				}
			}
			return evicted;
		}
		finally {
			this.evictionLock.unlock();
		}
	}

	/**
	 * Retires and removes {@code partition} if it holds nothing (never the default
	 * partition).
	 */
	private boolean evict(Partition partition) {
		return partition != this.defaultPartition && partition.retireIfQuiescent()
				&& this.partitions.remove(partition.key(), partition);
	}

}
