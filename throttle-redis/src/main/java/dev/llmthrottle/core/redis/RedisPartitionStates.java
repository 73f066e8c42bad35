package dev.llmthrottle.core.redis;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.PartitionState;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;

/**
 * The Redis-backed {@link PartitionState.Factory} of one provider, and what its
 * partitions share: the scripts, the settings, the breaker ({@link BackendHealth}), the
 * lease heartbeat and the server-clock estimate. Give it to {@code ProviderThrottler}
 * with an executor whose threads may block for up to the command timeout (never an event
 * loop).
 */
public final class RedisPartitionStates implements PartitionState.Factory, AutoCloseable {

	private static final long BLOCKING_MARGIN_NANOS = 100_000_000L;

	private final String provider;

	private final RedisScripts scripts;

	private final RedisBackendSettings settings;

	private final BackendHealth health;

	private final LeaseKeeper leases;

	private final ServerClock clock = new ServerClock();

	private final SecureRandom random = new SecureRandom();

	private final LongAdder unknownLeaseReleases = new LongAdder();

	private final LongAdder lostLeases = new LongAdder();

	private final LongAdder uncarriedSettlements = new LongAdder();

	private final LongAdder lateReplies = new LongAdder();

	/**
	 * @param time the time source for timers (lease heartbeat, probes); partitions use
	 * the one they are created with
	 * @param listener told of every degraded decision
	 */
	public RedisPartitionStates(String provider, RedisScripts scripts, RedisBackendSettings settings, TimeSource time,
			ThrottleListener listener) {
		this.provider = provider;
		this.scripts = scripts;
		this.settings = settings;
		this.health = new BackendHealth(provider, scripts, settings, time, listener);
		this.leases = new LeaseKeeper(time, settings.leaseTtl().toNanos());
	}

	@Override
	public PartitionState create(ThrottlePolicy policy, String partitionKey, ReentrantLock lock, TimeSource time) {
		return new RedisPartitionState(this, policy, partitionKey, time);
	}

	/** The provider name. */
	public String provider() {
		return this.provider;
	}

	/** Whether Redis is failing for this provider now, so its failure policy applies. */
	public boolean degraded() {
		return this.health.degraded();
	}

	/** Decisions taken without Redis (admitted locally or refused) since start. */
	public long degradedDecisions() {
		return this.health.degradedDecisions();
	}

	/**
	 * Releases of a lease that Redis did not hold any more (expired or unknown):
	 * detected, not counted.
	 */
	public long unknownLeaseReleases() {
		return this.unknownLeaseReleases.sum();
	}

	/**
	 * Held leases found expired at renewal (the heartbeat could not reach Redis for a
	 * whole lease TTL).
	 */
	public long lostLeases() {
		return this.lostLeases.sum();
	}

	/**
	 * Settlements (debts, refunds, lease releases) made while Redis failed that could not
	 * be carried to it once it answered again (too many kept, or the carrying call
	 * failed). Each is also reported to the listener as a degraded event.
	 */
	public long uncarriedSettlements() {
		return this.uncarriedSettlements.sum();
	}

	/**
	 * Admissions that reached Redis after their deadline (nothing taken, asked again; the
	 * breaker stays closed).
	 */
	public long lateReplies() {
		return this.lateReplies.sum();
	}

	@Override
	public void close() {
		this.leases.close();
	}

	// ---- for the partitions ----

	RedisBackendSettings settings() {
		return this.settings;
	}

	BackendHealth health() {
		return this.health;
	}

	ServerClock clock() {
		return this.clock;
	}

	LeaseKeeper leases() {
		return this.leases;
	}

	void unknownLeaseReleased() {
		this.unknownLeaseReleases.increment();
	}

	void settlementNotCarried() {
		this.uncarriedSettlements.increment();
		this.health.settlementNotCarried();
	}

	void lateReply() {
		this.lateReplies.increment();
	}

	void leasesLost(long count) {
		this.lostLeases.add(count);
	}

	/**
	 * A random 128-bit lease id (collisions would merge two holders into one:
	 * redisson#3804).
	 */
	String newLeaseId() {
		byte[] bytes = new byte[16];
		this.random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/**
	 * Runs the script and waits for its reply, at most the command timeout (plus a
	 * margin), whatever the calling thread's interrupt flag (kept as it was).
	 * @throws BackendFailure on timeout, error reply or disconnection; the breaker is not
	 * touched here
	 */
	List<Object> call(List<String> keys, List<String> args) {
		CompletableFuture<List<Object>> reply = this.scripts.eval(LuaScript.THROTTLE, keys, args);
		long deadline = System.nanoTime() + this.settings.commandTimeout().toNanos() + BLOCKING_MARGIN_NANOS;
		boolean interrupted = false;
		try {
			while (true) {
				try {
					// An interrupt is not a Redis failure, and the script may already
					// have run: the wait (bounded
					// by the command timeout) goes on, and the flag is restored
					// afterwards (rule R3).
					return reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		catch (ExecutionException ex) {
			throw new BackendFailure(ex.getCause());
		}
		catch (TimeoutException ex) {
			reply.cancel(false);
			throw new BackendFailure(ex);
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** Runs the script without waiting; a failure opens the breaker. */
	void send(List<String> keys, List<String> args, Consumer<List<Object>> onReply) {
		send(keys, args, onReply, null);
	}

	/**
	 * Runs the script without waiting; a failure opens the breaker, then runs
	 * {@code onFailure} if given.
	 */
	void send(List<String> keys, List<String> args, Consumer<List<Object>> onReply, Runnable onFailure) {
		this.scripts.eval(LuaScript.THROTTLE, keys, args).whenComplete((reply, failure) -> {
			if (failure != null) {
				this.health.failed(failure);
				if (onFailure != null) {
					onFailure.run();
				}
			}
			else if (onReply != null) {
				onReply.accept(reply);
			}
		});
	}

	/** Redis did not decide: timed out, failed or unreachable. */
	static final class BackendFailure extends RuntimeException {

		private static final long serialVersionUID = 1L;

		BackendFailure(Throwable cause) {
			super(cause);
		}

	}

}
