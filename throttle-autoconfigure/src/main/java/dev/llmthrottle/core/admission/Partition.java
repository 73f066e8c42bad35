package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.MaxWaitExceededException;
import dev.llmthrottle.core.QueueFullException;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.rate.PacedRateLimiter;
import dev.llmthrottle.core.rate.PacedWindow;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;

/**
 * The admission state of one provider partition (one API key or tenant): a Resilience4j {@link Bulkhead} for
 * concurrency, one {@link PacedRateLimiter} per limit, a cooldown set by the provider, and a FIFO queue of waiters.
 *
 * <p>
 * A call is admitted at the first instant when the cooldown has passed, a concurrency slot is free and every limit
 * has room; only then is anything taken, all at once. So a caller never holds a request slot while waiting for
 * tokens (or the other way round), and what the provider sees is exactly the schedule computed here. Waiters are
 * served strictly in arrival order: while anyone waits, newcomers queue behind, so a large request is not starved
 * by a stream of small ones.
 *
 * <p>
 * Why a lock and not compare-and-set: an admission reads and writes several limiters, the bulkhead and the queue
 * together, and must do so atomically. An uncontended {@link ReentrantLock} costs one CAS to take, the fast path
 * (nobody waiting, room available) does a handful of arithmetic steps under it, and waiting never happens under
 * it: waiters are futures completed by whoever frees room (a release, a settle, or a timer at the instant the head
 * of the queue fits).
 */
public final class Partition {

	private final String provider;

	private final String key;

	private final TimeSource time;

	private final ThrottleListener listener;

	private final ReentrantLock lock = new ReentrantLock();

	private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

	private volatile ThrottlePolicy policy;

	private volatile PacedRateLimiter[] limiters;

	private volatile Bulkhead bulkhead;

	private long[] queuedCost;

	private long cooldownUntil;

	private String cooldownReason;

	private TimeSource.Cancellable wakeUp;

	private long wakeUpAt = Long.MAX_VALUE;

	private int inFlight;

	private volatile long lastActivity;

	private final AtomicLong repeatedReleases = new AtomicLong();

	Partition(ThrottlePolicy policy, String key, TimeSource time, ThrottleListener listener) {
		this.provider = policy.provider();
		this.key = key;
		this.time = time;
		this.listener = listener;
		this.lastActivity = time.nanoTime();
		apply(policy);
	}

	/** The provider name. */
	public String provider() {
		return this.provider;
	}

	/** The partition key as stored and shown: a keyed hash, never the raw key. */
	public String key() {
		return this.key;
	}

	/** The policy in force. */
	public ThrottlePolicy policy() {
		return this.policy;
	}

	/** The Resilience4j rate limiters of this partition, one per limit (for their events and metrics). */
	public List<PacedRateLimiter> rateLimiters() {
		return List.of(this.limiters);
	}

	/** The Resilience4j bulkhead of this partition, or {@code null} when concurrency is not capped. */
	public Bulkhead bulkhead() {
		return this.bulkhead;
	}

	/**
	 * Admits {@code cost} at once if nothing is queued and everything has room.
	 * @return the permit, or {@code null} if the caller would have to wait
	 * @throws RequestTooLargeException if the cost exceeds a limit
	 */
	public Permit tryAcquire(Cost cost) {
		checkFits(cost);
		this.lock.lock();
		try {
			if (!this.queue.isEmpty()) {
				return null;
			}
			long now = this.time.nanoTime();
			Permit permit = (nanosUntilAdmissible(cost, now) == 0) ? admit(cost, now) : null;
			if (permit != null) {
				this.listener.admitted(this.provider, this.key, cost, 0);
			}
			return permit;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Admits {@code cost}, waiting (without blocking a thread) in arrival order. The future completes with the
	 * permit, or exceptionally with a {@link ThrottleRejectedException}; cancelling it withdraws the caller. Fails
	 * at once when the cost can never fit, the queue is full, or the foreseeable wait exceeds {@code max-wait}.
	 */
	public CompletableFuture<Permit> acquireAsync(Cost cost) {
		try {
			checkFits(cost);
		}
		catch (RequestTooLargeException ex) {
			this.listener.rejected(this.provider, this.key, ex);
			return CompletableFuture.failedFuture(ex);
		}
		Waiter waiter;
		List<Runnable> completions;
		this.lock.lock();
		try {
			long now = this.time.nanoTime();
			if (this.queue.isEmpty() && nanosUntilAdmissible(cost, now) == 0) {
				Permit permit = admit(cost, now);
				if (permit != null) {
					this.listener.admitted(this.provider, this.key, cost, 0);
					return CompletableFuture.completedFuture(permit);
				}
			}
			ThrottleRejectedException rejection = checkQueueable(cost, now);
			if (rejection != null) {
				this.listener.rejected(this.provider, this.key, rejection);
				return CompletableFuture.failedFuture(rejection);
			}
			waiter = new Waiter(this, cost, now);
			this.queue.addLast(waiter);
			addQueued(cost, 1);
			completions = drain(now);
		}
		finally {
			this.lock.unlock();
		}
		if (!waiter.isDone()) {
			ThrottlePolicy current = this.policy;
			waiter.deadline = this.time.schedule(() -> expire(waiter), current.maxWait().toNanos());
		}
		run(completions);
		return waiter;
	}

	/**
	 * Admits {@code cost}, parking the calling thread for at most {@code max-wait}.
	 * @throws InterruptedException if interrupted while waiting; the caller is then withdrawn and nothing is taken
	 */
	public Permit acquire(Cost cost) throws InterruptedException {
		Permit permit = tryAcquire(cost);
		if (permit != null) {
			return permit;
		}
		CompletableFuture<Permit> future = acquireAsync(cost);
		try {
			return future.get();
		}
		catch (InterruptedException ex) {
			// Not cancelled: it completed meanwhile. Hand back a permit; a rejection must not hide the interrupt.
			if (!future.cancel(false) && !future.isCompletedExceptionally()) {
				Permit granted = future.getNow(null);
				if (granted != null) {
					granted.abandon();
				}
			}
			throw ex;
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(ex.getCause());
		}
	}

	/**
	 * Pauses every caller of this partition for {@code duration} (a provider's 429 hint). A longer cooldown already in
	 * force is kept.
	 */
	public void coolDown(Duration duration, String reason) {
		List<Runnable> completions;
		this.lock.lock();
		try {
			long now = this.time.nanoTime();
			long until = now + duration.toNanos();
			if (until <= this.cooldownUntil) {
				return;
			}
			this.cooldownUntil = until;
			this.cooldownReason = reason;
			completions = drain(now);
		}
		finally {
			this.lock.unlock();
		}
		this.listener.cooldown(this.provider, this.key, duration, reason);
		run(completions);
	}

	/**
	 * Records what the provider reports as remaining for a dimension until its reset: every limit of that dimension
	 * shrinks to it when it is less than we believe (another client shares the key).
	 */
	public void reportRemaining(Dimension dimension, long remaining, Duration reset) {
		this.lock.lock();
		try {
			long now = this.time.nanoTime();
			for (PacedRateLimiter limiter : this.limiters) {
				if (limiter.window().limit().dimension() == dimension) {
					limiter.window().reportRemaining(remaining, reset.toNanos(), now);
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Adopts a limit the provider reports for {@code dimension} over {@code window}: the partition's limit of that
	 * dimension and period becomes the reported amount when that is lower than configured (a temporary reduction,
	 * or a configured figure that was too high) and returns to the configured amount when the report rises again.
	 * @return whether a limit changed
	 */
	public boolean learnLimit(Dimension dimension, long reportedAmount, Duration window) {
		if (reportedAmount < 1) {
			return false;
		}
		this.lock.lock();
		try {
			for (Limit configured : this.policy.limits()) {
				if (configured.dimension() != dimension || !configured.period().equals(window)) {
					continue;
				}
				long target = Math.min(configured.amount(), reportedAmount);
				for (PacedRateLimiter limiter : this.limiters) {
					Limit current = limiter.window().limit();
					if (current.dimension() == dimension && current.period().equals(window)
							&& current.amount() != target) {
						limiter.window().reconfigure(Limit.of(dimension, target, window));
						return true;
					}
				}
			}
			return false;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Charges {@code extra} now, without waiting for room: a retry sent under a permit already held, or output
	 * tokens counted after the fact. The next callers wait for it.
	 */
	public void charge(Cost extra) {
		this.lock.lock();
		try {
			long now = this.time.nanoTime();
			for (PacedRateLimiter limiter : this.limiters) {
				PacedWindow window = limiter.window();
				long amount = extra.amount(window.limit().dimension());
				if (amount > 0) {
					window.settle(window.consume(0, now), 0, amount, now);
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The time left in the current cooldown, or zero. */
	public Duration cooldownRemaining() {
		this.lock.lock();
		try {
			return Duration.ofNanos(Math.max(0, this.cooldownUntil - this.time.nanoTime()));
		}
		finally {
			this.lock.unlock();
		}
	}

	/** A consistent picture of this partition now. */
	public PartitionSnapshot snapshot() {
		this.lock.lock();
		try {
			long now = this.time.nanoTime();
			List<PartitionSnapshot.LimitState> limitStates = new ArrayList<>(this.limiters.length);
			for (PacedRateLimiter limiter : this.limiters) {
				PacedWindow window = limiter.window();
				limitStates.add(new PartitionSnapshot.LimitState(window.limit(), window.used(now), window.available(now)));
			}
			long cooldownLeft = Math.max(0, this.cooldownUntil - now);
			return new PartitionSnapshot(this.provider, this.key, this.inFlight, this.queue.size(), limitStates,
					Duration.ofNanos(cooldownLeft), (cooldownLeft > 0) ? this.cooldownReason : null,
					this.repeatedReleases.get());
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Whether nothing is in flight or waiting and every limit has recovered: evicting it loses nothing. */
	boolean isQuiescent() {
		this.lock.lock();
		try {
			long now = this.time.nanoTime();
			if (this.inFlight > 0 || !this.queue.isEmpty() || now < this.cooldownUntil) {
				return false;
			}
			for (PacedRateLimiter limiter : this.limiters) {
				if (!limiter.window().isIdle(now)) {
					return false;
				}
			}
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	long lastActivity() {
		return this.lastActivity;
	}

	/** Applies a changed policy: limits of the same dimension and period keep their state. */
	void apply(ThrottlePolicy newPolicy) {
		List<Runnable> completions = List.of();
		this.lock.lock();
		try {
			PacedRateLimiter[] old = this.limiters;
			List<Limit> limits = newPolicy.limits();
			PacedRateLimiter[] updated = new PacedRateLimiter[limits.size()];
			for (int i = 0; i < updated.length; i++) {
				Limit limit = limits.get(i);
				PacedRateLimiter reused = (old != null) ? find(old, limit) : null;
				if (reused != null) {
					reused.window().reconfigure(limit, newPolicy.burst().toNanos());
					updated[i] = reused;
				}
				else {
					updated[i] = new PacedRateLimiter(this.provider + "-" + limit.dimension().id() + "-"
							+ limit.period(), limit, newPolicy.burst(), newPolicy.maxWait(), this.time, this.lock,
							Map.of("provider", this.provider, "dimension", limit.dimension().id()));
				}
			}
			this.limiters = updated;
			this.queuedCost = new long[updated.length];
			for (Waiter waiter : this.queue) {
				for (int i = 0; i < updated.length; i++) {
					this.queuedCost[i] += waiter.cost.amount(updated[i].window().limit().dimension());
				}
			}
			if (newPolicy.maxConcurrent() > 0) {
				BulkheadConfig config = BulkheadConfig.custom()
					.maxConcurrentCalls(newPolicy.maxConcurrent())
					.maxWaitDuration(Duration.ZERO)
					.build();
				if (this.bulkhead == null) {
					this.bulkhead = Bulkhead.of(this.provider, config, Map.of("provider", this.provider));
				}
				else {
					this.bulkhead.changeConfig(config);
				}
			}
			else {
				this.bulkhead = null;
			}
			this.policy = newPolicy;
			if (old != null) {
				completions = drain(this.time.nanoTime());
			}
		}
		finally {
			this.lock.unlock();
		}
		run(completions);
	}

	private static PacedRateLimiter find(PacedRateLimiter[] limiters, Limit limit) {
		for (PacedRateLimiter limiter : limiters) {
			Limit existing = limiter.window().limit();
			if (existing.dimension() == limit.dimension() && existing.period().equals(limit.period())) {
				return limiter;
			}
		}
		return null;
	}

	// ---- internals; the lock is held where noted ----

	private void checkFits(Cost cost) {
		for (PacedRateLimiter limiter : this.limiters) {
			Limit limit = limiter.window().limit();
			long amount = cost.amount(limit.dimension());
			if (amount > limit.amount()) {
				throw new RequestTooLargeException(this.provider, limit, amount);
			}
		}
	}

	/** Lock held. 0 when the cost fits now apart from concurrency, else nanos until it might. */
	private long nanosUntilAdmissible(Cost cost, long now) {
		long wait = Math.max(0, this.cooldownUntil - now);
		for (PacedRateLimiter limiter : this.limiters) {
			PacedWindow window = limiter.window();
			long limiterWait = window.nanosUntilAvailable(cost.amount(window.limit().dimension()), now);
			if (limiterWait > wait) {
				wait = limiterWait;
			}
		}
		return wait;
	}

	/** Lock held, cost known to fit. Takes a concurrency slot and every limit, or nothing. */
	private Permit admit(Cost cost, long now) {
		Bulkhead currentBulkhead = this.bulkhead;
		if (currentBulkhead != null && !currentBulkhead.tryAcquirePermission()) {
			return null;
		}
		PacedRateLimiter[] current = this.limiters;
		PacedWindow.Entry[] entries = new PacedWindow.Entry[current.length];
		for (int i = 0; i < current.length; i++) {
			PacedWindow window = current[i].window();
			long amount = cost.amount(window.limit().dimension());
			if (amount > 0) {
				entries[i] = window.consume(amount, now);
				current[i].publishAdmitted(amount);
			}
		}
		this.inFlight++;
		this.lastActivity = now;
		return new Permit(this, cost, now, current, entries, currentBulkhead != null);
	}

	/** Lock held. A rejection for a caller about to queue, or null. */
	private ThrottleRejectedException checkQueueable(Cost cost, long now) {
		ThrottlePolicy current = this.policy;
		if (this.queue.size() >= current.maxQueue()) {
			return new QueueFullException(this.provider, current.maxQueue());
		}
		// Foreseeable wait: everyone queued ahead, then this call, sent at the steady rate of each limit.
		long maxWait = current.maxWait().toNanos();
		long projected = Math.max(0, this.cooldownUntil - now);
		String blockedBy = (projected > 0) ? "cooldown" : "concurrency";
		for (int i = 0; i < this.limiters.length; i++) {
			PacedWindow window = this.limiters[i].window();
			Limit limit = window.limit();
			long ahead = this.queuedCost[i];
			long costHere = cost.amount(limit.dimension());
			long wait = window.nanosUntilAvailable(costHere, now);
			long paced = (long) Math.ceil((double) ahead * limit.periodNanos() / limit.amount());
			long candidate = (wait == PacedWindow.NEVER) ? wait : saturatedAdd(wait, paced);
			if (candidate > projected) {
				projected = candidate;
				blockedBy = limit.toString();
			}
		}
		if (projected > maxWait) {
			return new MaxWaitExceededException(this.provider, blockedBy, Duration.ofNanos(projected), current.maxWait());
		}
		return null;
	}

	/** Lock held. Admits waiters from the head while they fit; returns the completions to run after unlocking. */
	private List<Runnable> drain(long now) {
		List<Runnable> completions = null;
		Waiter head;
		while ((head = this.queue.peekFirst()) != null) {
			if (head.isDone()) {
				removeHead(head);
				continue;
			}
			long wait = nanosUntilAdmissible(head.cost, now);
			if (wait == PacedWindow.NEVER) {
				removeHead(head);
				Waiter tooLarge = head;
				completions = add(completions, () -> fail(tooLarge));
				continue;
			}
			if (wait > 0) {
				scheduleWakeUp(now, now + wait);
				break;
			}
			Permit permit = admit(head.cost, now);
			if (permit == null) {
				break; // waiting for a concurrency slot: the next release drains again
			}
			removeHead(head);
			Waiter granted = head;
			long waited = now - head.enqueuedAt;
			completions = add(completions, () -> {
				this.listener.admitted(this.provider, this.key, granted.cost, waited);
				granted.grant(permit);
			});
		}
		return (completions != null) ? completions : List.of();
	}

	private void fail(Waiter waiter) {
		try {
			checkFits(waiter.cost);
			waiter.completeExceptionally(new IllegalStateException("limit changed while waiting"));
		}
		catch (RequestTooLargeException ex) {
			this.listener.rejected(this.provider, this.key, ex);
			waiter.completeExceptionally(ex);
		}
	}

	private static List<Runnable> add(List<Runnable> list, Runnable completion) {
		List<Runnable> result = (list != null) ? list : new ArrayList<>(4);
		result.add(completion);
		return result;
	}

	private void removeHead(Waiter head) {
		this.queue.pollFirst();
		addQueued(head.cost, -1);
	}

	private void addQueued(Cost cost, int sign) {
		for (int i = 0; i < this.limiters.length; i++) {
			this.queuedCost[i] += sign * cost.amount(this.limiters[i].window().limit().dimension());
		}
	}

	/** Lock held. Makes sure a drain runs at {@code at}. */
	private void scheduleWakeUp(long now, long at) {
		if (this.wakeUp != null && this.wakeUpAt <= at) {
			return;
		}
		if (this.wakeUp != null) {
			this.wakeUp.cancel();
		}
		this.wakeUpAt = at;
		this.wakeUp = this.time.schedule(this::wake, at - now);
	}

	private void wake() {
		List<Runnable> completions;
		this.lock.lock();
		try {
			this.wakeUp = null;
			this.wakeUpAt = Long.MAX_VALUE;
			completions = drain(this.time.nanoTime());
		}
		finally {
			this.lock.unlock();
		}
		run(completions);
	}

	private void expire(Waiter waiter) {
		if (waiter.isDone()) {
			return;
		}
		ThrottlePolicy current = this.policy;
		String blockedBy;
		this.lock.lock();
		try {
			long now = this.time.nanoTime();
			blockedBy = (now < this.cooldownUntil) ? "cooldown"
					: (nanosUntilAdmissible(waiter.cost, now) > 0 || this.queue.peekFirst() != waiter) ? "rate limits"
							: "concurrency";
		}
		finally {
			this.lock.unlock();
		}
		MaxWaitExceededException ex = new MaxWaitExceededException(this.provider, blockedBy, null, current.maxWait());
		if (waiter.completeExceptionally(ex)) {
			this.listener.rejected(this.provider, this.key, ex);
		}
	}

	/** Called when a waiter is cancelled or expired: take it out of the queue and let the next one try. */
	void withdraw(Waiter waiter) {
		if (waiter.deadline != null) {
			waiter.deadline.cancel();
		}
		List<Runnable> completions;
		this.lock.lock();
		try {
			if (this.queue.remove(waiter)) {
				addQueued(waiter.cost, -1);
			}
			completions = drain(this.time.nanoTime());
		}
		finally {
			this.lock.unlock();
		}
		run(completions);
	}

	void release(Permit permit, Cost actual, boolean sent) {
		List<Runnable> completions;
		this.lock.lock();
		try {
			long now = this.time.nanoTime();
			if (permit.holdsConcurrency) {
				Bulkhead current = this.bulkhead;
				if (current != null) {
					current.onComplete();
				}
			}
			this.inFlight--;
			Cost estimate = permit.cost();
			for (int i = 0; i < permit.limiters.length; i++) {
				PacedWindow.Entry entry = permit.entries[i];
				PacedWindow window = permit.limiters[i].window();
				Dimension dimension = window.limit().dimension();
				long admitted = estimate.amount(dimension);
				long real = (actual == null) ? admitted : (sent && dimension == Dimension.REQUESTS) ? admitted
						: actual.amount(dimension);
				if (entry != null) {
					window.settle(entry, admitted, real, now);
				}
				else if (real > 0) {
					window.settle(window.consume(0, now), 0, real, now);
				}
			}
			this.lastActivity = now;
			completions = drain(now);
		}
		finally {
			this.lock.unlock();
		}
		this.listener.released(this.provider, this.key, permit.cost(), actual, sent);
		run(completions);
	}

	void noteRepeatedRelease() {
		this.repeatedReleases.incrementAndGet();
	}

	private static void run(List<Runnable> completions) {
		for (int i = 0; i < completions.size(); i++) {
			completions.get(i).run();
		}
	}

	private static long saturatedAdd(long a, long b) {
		long sum = a + b;
		return (sum < 0) ? Long.MAX_VALUE : sum;
	}

}
