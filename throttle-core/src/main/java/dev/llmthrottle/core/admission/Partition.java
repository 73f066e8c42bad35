package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.MaxWaitExceededException;
import dev.llmthrottle.core.Priority;
import dev.llmthrottle.core.QueueFullException;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.ThrottleRejectedException;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.rate.PacedRateLimiter;
import io.github.resilience4j.bulkhead.Bulkhead;
import org.jspecify.annotations.Nullable;

/**
 * One provider partition (one API key or tenant): the queue in front of a
 * {@link PartitionState} that holds concurrency, limits and cooldown (in memory, or
 * shared through Redis).
 *
 * <p>
 * A call is admitted at the first instant when the cooldown has passed, a concurrency
 * slot is free and every limit has room; only then is anything taken, all at once. So a
 * caller never holds a request slot while waiting for tokens (or the other way round),
 * and what the provider sees is exactly the schedule computed here. Waiters queue in
 * their {@link Priority} lane, in arrival order within it; exactly one of them is next
 * (the head of the highest lane waiting, unless a lower lane is owed its minimum share,
 * see {@link PriorityLanes}), and nobody goes before it: while anyone waits, newcomers
 * queue, so a large request is not starved by a stream of small ones.
 *
 * <p>
 * Why a lock and not compare-and-set: an admission reads and writes several limiters, the
 * bulkhead and the queue together, and must do so atomically. An uncontended
 * {@link ReentrantLock} costs one CAS to take, the fast path (nobody waiting, room
 * available) does a handful of arithmetic steps under it, and waiting never happens under
 * it: waiters are futures completed by whoever frees room (a release, a settle, or a
 * timer at the instant the head of the queue fits). A remote state is never called under
 * the lock: its attempts run on the partition's executor, one at a time, in queue order.
 */
public final class Partition {

	/**
	 * The longest {@link #park} honoured, so that the deadline arithmetic cannot
	 * overflow.
	 */
	private static final Duration MAX_PARK = Duration.ofDays(366);

	private final String provider;

	private final String key;

	private final TimeSource time;

	private final ThrottleListener listener;

	private final ReentrantLock lock = new ReentrantLock();

	private final PriorityLanes queue = new PriorityLanes();

	private final PartitionState state;

	private final boolean remote;

	private final Executor executor;

	private final AtomicBoolean draining = new AtomicBoolean();

	private final AtomicBoolean drainAgain = new AtomicBoolean();

	private volatile ThrottlePolicy policy;

	private TimeSource.Cancellable wakeUp;

	private long wakeUpAt = Long.MAX_VALUE;

	private int inFlight;

	/**
	 * Guarded by the lock: {@code max-concurrent: auto}, or {@code null} for a fixed cap
	 * (kept in the state's bulkhead).
	 */
	private @Nullable AdaptiveConcurrency adaptive;

	private volatile long lastActivity;

	/**
	 * The throttler that holds this partition, to find its successor once retired;
	 * {@code null} if none.
	 */
	private final @Nullable ProviderThrottler owner;

	/**
	 * Set once, under the lock, when the throttler evicts this partition (only when
	 * nothing is in flight or queued and its state is idle). From then on it admits
	 * nothing itself: every call through a reference kept from before (a filter holding
	 * it across a retry backoff) goes to the partition now in force for the key, so there
	 * is never a second live partition for one key.
	 */
	private volatile boolean retired;

	private final AtomicLong repeatedReleases = new AtomicLong();

	/**
	 * The {@code auto} request limits learned from refusals alone, while no header states
	 * them ({@link RefusalRateLearner}); guarded by their own monitor, so that a remote
	 * state's partition uses them the same way.
	 */
	private final RefusalLearners learners;

	/**
	 * Set by {@link #park}: until when callers who would wait past max-wait fail with the
	 * refusal.
	 */
	private volatile Parked parked;

	private record Parked(long until, Supplier<? extends ThrottleRejectedException> refusal) {
	}

	Partition(ThrottlePolicy policy, String key, TimeSource time, ThrottleListener listener) {
		this(policy, key, time, listener, PartitionState.Factory.LOCAL, Runnable::run);
	}

	Partition(ThrottlePolicy policy, String key, TimeSource time, ThrottleListener listener,
			PartitionState.Factory states, Executor executor) {
		this(policy, key, time, listener, states, executor, null);
	}

	Partition(ThrottlePolicy policy, String key, TimeSource time, ThrottleListener listener,
			PartitionState.Factory states, Executor executor, ProviderThrottler owner) {
		this.owner = owner;
		this.provider = policy.provider();
		this.key = key;
		this.time = time;
		this.listener = listener;
		this.policy = policy;
		this.state = states.create(policy, key, this.lock, time);
		this.remote = this.state.remote();
		this.adaptive = policy.autoConcurrent() ? new AdaptiveConcurrency(policy.maxConcurrent()) : null;
		this.executor = executor;
		this.lastActivity = time.nanoTime();
		this.learners = new RefusalLearners(policy);
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

	/**
	 * The Resilience4j rate limiters of this partition, one per limit (for their events
	 * and metrics).
	 */
	public List<PacedRateLimiter> rateLimiters() {
		Partition live = liveOrNull();
		return (live != null) ? live.rateLimiters() : locked(this.state::rateLimiters);
	}

	/**
	 * The Resilience4j bulkhead of this partition, or {@code null} when concurrency is
	 * not capped or not local.
	 */
	public @Nullable Bulkhead bulkhead() {
		Partition live = liveOrNull();
		return (live != null) ? live.bulkhead() : locked(this.state::bulkhead);
	}

	/**
	 * The concurrency limit in force in this JVM: the adaptive limit under
	 * {@code max-concurrent: auto}, else the configured cap, 0 for none.
	 */
	public int concurrencyLimit() {
		Partition live = liveOrNull();
		if (live != null) {
			return live.concurrencyLimit();
		}
		this.lock.lock();
		try {
			return (this.adaptive != null) ? this.adaptive.limit() : this.policy.maxConcurrent();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Under {@code max-concurrent: auto}, the smoothed time a call holds its slot
	 * (admission to release; a stream's until its end), else zero.
	 */
	public Duration observedLatency() {
		Partition live = liveOrNull();
		if (live != null) {
			return live.observedLatency();
		}
		this.lock.lock();
		try {
			return (this.adaptive != null) ? Duration.ofNanos(this.adaptive.latencyNanos()) : Duration.ZERO;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Admits {@code cost} at once if nothing is queued and everything has room.
	 * @return the permit, or {@code null} if the caller would have to wait (always for a
	 * remote state)
	 * @throws RequestTooLargeException if the cost exceeds a limit
	 */
	public @Nullable Permit tryAcquire(Cost cost) {
		if (this.remote) {
			checkFitsOrReport(cost);
			return null;
		}
		// one lock for the check and the admission; listeners are told after it is
		// released
		RequestTooLargeException tooLarge = null;
		Permit permit = null;
		boolean retiredNow;
		this.lock.lock();
		try {
			retiredNow = this.retired;
			if (!retiredNow) {
				tooLarge = fitsLocked(cost);
				if (tooLarge == null && this.queue.isEmpty()) {
					permit = admitNow(cost);
				}
			}
		}
		finally {
			this.lock.unlock();
		}
		if (retiredNow) {
			return successor().tryAcquire(cost);
		}
		if (tooLarge != null) {
			this.listener.rejected(this.provider, this.key, tooLarge);
			throw tooLarge;
		}
		if (permit != null) {
			this.listener.admitted(this.provider, this.key, cost, 0);
		}
		return permit;
	}

	/**
	 * Admits {@code cost} in the {@link Priority#DEFAULT} lane, see
	 * {@link #acquireAsync(Cost, Priority)}.
	 */
	public CompletableFuture<Permit> acquireAsync(Cost cost) {
		return acquireAsync(cost, Priority.DEFAULT);
	}

	/**
	 * Admits {@code cost}, waiting (without blocking a thread) in the lane of
	 * {@code priority}, in arrival order within it. The future completes with the permit,
	 * or exceptionally with a {@link ThrottleRejectedException}; cancelling it withdraws
	 * the caller. Fails at once when the cost can never fit, the queue is full, or the
	 * foreseeable wait exceeds {@code max-wait}.
	 */
	public CompletableFuture<Permit> acquireAsync(Cost cost, Priority priority) {
		if (this.remote) {
			try {
				checkFitsOrReport(cost);
			}
			catch (RequestTooLargeException ex) {
				return CompletableFuture.failedFuture(ex);
			}
		}
		// one lock for the check, the fast path and the queueing; listeners are told
		// after it is released
		ThrottleRejectedException rejection = null;
		Permit permit = null;
		Waiter waiter = null;
		List<Runnable> completions = List.of();
		boolean retiredNow;
		this.lock.lock();
		try {
			retiredNow = this.retired;
			rejection = (this.remote || retiredNow) ? null : fitsLocked(cost);
			if (!retiredNow && rejection == null && !this.remote && this.queue.isEmpty()) {
				permit = admitNow(cost);
			}
			if (!retiredNow && rejection == null && permit == null) {
				rejection = checkQueueable(cost, priority);
			}
			if (!retiredNow && rejection == null && permit == null) {
				waiter = new Waiter(this, cost, priority, this.time.nanoTime());
				this.queue.add(waiter);
				if (!this.remote) {
					completions = drainLocked();
				}
			}
		}
		finally {
			this.lock.unlock();
		}
		if (retiredNow) {
			return acquireAsyncOnSuccessor(cost, priority);
		}
		if (rejection != null) {
			this.listener.rejected(this.provider, this.key, rejection);
			return CompletableFuture.failedFuture(rejection);
		}
		if (permit != null) {
			this.listener.admitted(this.provider, this.key, cost, 0);
			return CompletableFuture.completedFuture(permit);
		}
		Waiter queued = waiter;
		if (!queued.isDone()) {
			TimeSource.Cancellable deadline = this.time.schedule(() -> expire(queued),
					LocalPartitionState.saturatedNanos(this.policy.maxWait()));
			queued.deadline = deadline;
			if (queued.isDone()) {
				// granted (or withdrawn) between the check and the assignment: whoever
				// completed it may not have
				// seen the timer
				deadline.cancel();
			}
		}
		run(completions);
		if (this.remote) {
			drainRemotely();
		}
		return queued;
	}

	/**
	 * Admits {@code cost} in the {@link Priority#DEFAULT} lane, see
	 * {@link #acquire(Cost, Priority)}.
	 */
	public Permit acquire(Cost cost) throws InterruptedException {
		return acquire(cost, Priority.DEFAULT);
	}

	/**
	 * Admits {@code cost}, parking the calling thread for at most {@code max-wait} in the
	 * lane of {@code priority}.
	 * @throws InterruptedException if interrupted while waiting; the caller is then
	 * withdrawn and nothing is taken
	 */
	public Permit acquire(Cost cost, Priority priority) throws InterruptedException {
		Permit permit = tryAcquire(cost);
		if (permit != null) {
			return permit;
		}
		CompletableFuture<Permit> future = acquireAsync(cost, priority);
		try {
			return future.get();
		}
		catch (InterruptedException ex) {
			// Not cancelled: it completed meanwhile. Hand back a permit; a rejection must
			// not hide the interrupt.
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
	 * Pauses every caller of this partition for {@code duration} (a provider's 429 hint).
	 * A longer cooldown already in force is kept.
	 */
	public void coolDown(Duration duration, String reason) {
		Boolean changed = change(() -> this.state.coolDown(duration, reason));
		if (changed == null) {
			successor().coolDown(duration, reason);
			return;
		}
		if (changed) {
			this.listener.cooldown(this.provider, this.key, duration, reason);
		}
	}

	/**
	 * Records what the provider reports as remaining for a dimension until its reset:
	 * every limit of that dimension shrinks to it when it is less than we believe
	 * (another client shares the key).
	 */
	public void reportRemaining(Dimension dimension, long remaining, Duration reset) {
		reportRemaining(dimension, remaining, reset, -1);
	}

	/**
	 * Records what the provider reports as remaining for a dimension until its reset,
	 * beside the limit figure it states ({@code statedFigure}, negative when none): the
	 * limits the report concerns ({@link ThrottlePolicy#reportConcerns}) shrink to it
	 * when it is less than we believe.
	 */
	public void reportRemaining(Dimension dimension, long remaining, Duration reset, long statedFigure) {
		Boolean changed = change(() -> {
			this.state.reportRemaining(dimension, remaining, reset, statedFigure);
			return true;
		});
		if (changed == null) {
			successor().reportRemaining(dimension, remaining, reset, statedFigure);
		}
	}

	/**
	 * The provider refused a call for its rate (its headers already reported): when our
	 * books had room in every limit, the partition widens its guard for the jitter or
	 * skew it did not account for (bounded, decaying back when refusals stop).
	 * @return whether the guard widened
	 */
	public boolean refusedWithRoom() {
		Boolean widened = change(this.state::refusedWithRoom);
		return (widened != null) ? widened : successor().refusedWithRoom();
	}

	/**
	 * Adopts a limit the provider reports for {@code dimension} over {@code window}: the
	 * partition's limit of that dimension and period becomes the reported amount when
	 * that is lower than configured (a temporary reduction, or a configured figure that
	 * was too high) and returns to the configured amount when the report rises again.
	 * @return whether a limit changed
	 */
	public boolean learnLimit(Dimension dimension, long reportedAmount, Duration window) {
		this.learners.stop(dimension, window);
		Boolean changed = change(() -> this.state.learnLimit(dimension, reportedAmount, window));
		return (changed != null) ? changed : successor().learnLimit(dimension, reportedAmount, window);
	}

	/**
	 * A call sent to the provider succeeded: each {@code auto} request limit that no
	 * header has stated yet grows a little ({@link RefusalRateLearner}).
	 */
	public void observeSuccess() {
		adoptLearned(this.learners.onSuccess(this.time.nanoTime()));
	}

	/**
	 * The provider refused a call for its rate (a 429) and asked to wait {@code hint}:
	 * each {@code auto} request limit that no header has stated yet shrinks
	 * ({@link RefusalRateLearner}). The cooldown is set apart, by {@link #coolDown}.
	 */
	public void observeRefusal(Duration hint) {
		adoptLearned(this.learners.onRefusal(this.time.nanoTime(), LocalPartitionState.saturatedNanos(hint)));
	}

	/**
	 * What the limits learned from refusals stand at: one entry per {@code auto} request
	 * limit still learned that way.
	 */
	List<RefusalLearners.Learned> learnedFromRefusals() {
		return this.learners.learned();
	}

	private void adoptLearned(List<RefusalLearners.Learned> changed) {
		for (RefusalLearners.Learned learned : changed) {
			Boolean applied = change(
					() -> this.state.learnLimit(Dimension.REQUESTS, learned.amount(), learned.period()));
			if (applied == null) {
				return; // retired: the successor learns on its own
			}
		}
	}

	/**
	 * Charges {@code extra} now, without waiting for room: a retry sent under a permit
	 * already held, or output tokens counted after the fact. The next callers wait for
	 * it.
	 */
	public void charge(Cost extra) {
		Boolean changed = change(() -> {
			this.state.charge(extra);
			return false;
		});
		if (changed == null) {
			successor().charge(extra);
		}
	}

	/**
	 * Charges {@code extra} if the cooldown is over and every limit has room for it now,
	 * without a concurrency slot and ahead of the queue: for a retry sent under a permit
	 * already held, which must still keep to the rates.
	 * @return zero when charged, else how long until it might fit (then nothing was
	 * taken)
	 */
	public Duration tryCharge(Cost extra) {
		Long wait = locked(() -> this.retired ? null : this.state.tryCharge(extra));
		return (wait != null) ? Duration.ofNanos(wait) : successor().tryCharge(extra);
	}

	/**
	 * Pauses every caller of this partition for {@code duration}, as {@link #coolDown}
	 * does, for a refusal that no call can get past before it ends (a provider's per-day
	 * quota): each caller who would wait past {@code max-wait} for it, queued already or
	 * arriving later, fails at once with a fresh {@code refusal} instead of waiting out
	 * {@code max-wait}.
	 * @param duration until the refusal ends
	 * @param reason the cooldown's reason, shown in snapshots and events
	 * @param refusal makes the exception each such caller fails with
	 */
	public void park(Duration duration, String reason, Supplier<? extends ThrottleRejectedException> refusal) {
		long now = this.time.nanoTime();
		long nanos = (duration.compareTo(MAX_PARK) > 0) ? MAX_PARK.toNanos() : Math.max(duration.toNanos(), 0);
		Parked parked = new Parked(now + nanos, refusal);
		List<Waiter> doomed = new ArrayList<>();
		this.lock.lock();
		try {
			this.parked = parked;
			long maxWait = this.policy.maxWait().toNanos();
			this.queue.forEach((waiter) -> {
				if (waiter.enqueuedAt + maxWait - parked.until() < 0) {
					doomed.add(waiter);
				}
			});
		}
		finally {
			this.lock.unlock();
		}
		coolDown(Duration.ofNanos(nanos), reason);
		for (Waiter waiter : doomed) {
			ThrottleRejectedException rejection = refusal.get();
			if (waiter.completeExceptionally(rejection)) {
				this.listener.rejected(this.provider, this.key, rejection);
			}
		}
	}

	/** The time left in the current cooldown, or zero. */
	public Duration cooldownRemaining() {
		Partition live = liveOrNull();
		return (live != null) ? live.cooldownRemaining() : locked(this.state::cooldownRemaining);
	}

	/** A consistent picture of this partition now. */
	public PartitionSnapshot snapshot() {
		Partition live = liveOrNull();
		if (live != null) {
			return live.snapshot();
		}
		if (this.remote) {
			int inFlightNow;
			int queued;
			this.lock.lock();
			try {
				inFlightNow = this.inFlight;
				queued = this.queue.size();
			}
			finally {
				this.lock.unlock();
			}
			return new PartitionSnapshot(this.provider, this.key, inFlightNow, queued, this.state.limits(),
					this.state.cooldownRemaining(), this.state.cooldownReason(), this.repeatedReleases.get(),
					this.state.guardPpm());
		}
		this.lock.lock();
		try {
			return new PartitionSnapshot(this.provider, this.key, this.inFlight, this.queue.size(), this.state.limits(),
					this.state.cooldownRemaining(), this.state.cooldownReason(), this.repeatedReleases.get(),
					this.state.guardPpm());
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Whether nothing is in flight or waiting and every limit has recovered: evicting it
	 * loses nothing.
	 */
	boolean isQuiescent() {
		this.lock.lock();
		try {
			return isQuiescentLocked();
		}
		finally {
			this.lock.unlock();
		}
	}

	private boolean isQuiescentLocked() {
		return this.inFlight == 0 && this.queue.isEmpty() && (this.remote || this.state.isIdle());
	}

	/**
	 * Retires this partition if it is quiescent, atomically with every admission: from
	 * then on a reference to it forwards to the partition in force for its key. The
	 * throttler then removes it.
	 * @return whether it was retired now
	 */
	boolean retireIfQuiescent() {
		this.lock.lock();
		try {
			if (this.retired || !isQuiescentLocked()) {
				return false;
			}
			this.retired = true;
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Whether this partition was evicted and forwards to its successor. */
	boolean isRetired() {
		return this.retired;
	}

	/**
	 * The partition in force for this key once this one is retired (created if need be).
	 */
	private Partition successor() {
		return this.owner.partitionByHash(this.key);
	}

	/**
	 * For reads: the partition in force for this key if this one is retired and one
	 * exists, else null.
	 */
	private Partition liveOrNull() {
		if (!this.retired) {
			return null;
		}
		Partition live = this.owner.existing(this.key);
		return (live != this) ? live : null;
	}

	private CompletableFuture<Permit> acquireAsyncOnSuccessor(Cost cost, Priority priority) {
		try {
			return successor().acquireAsync(cost, priority);
		}
		catch (PartitionLimitException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	long lastActivity() {
		return this.lastActivity;
	}

	/**
	 * Marks the partition as just looked up, so that eviction leaves it alone for a
	 * while.
	 */
	void touch() {
		this.lastActivity = this.time.nanoTime();
	}

	/**
	 * Applies a changed policy: limits of the same dimension and period keep their state.
	 */
	void apply(ThrottlePolicy newPolicy) {
		// a retired partition is out of the throttler: its successor is created with (or
		// gets) the new policy
		change(() -> {
			this.state.apply(newPolicy);
			ThrottlePolicy old = this.policy;
			if (!newPolicy.autoConcurrent()) {
				this.adaptive = null;
			}
			else if (this.adaptive == null || !old.autoConcurrent()
					|| old.maxConcurrent() != newPolicy.maxConcurrent()) {
				// a changed bound starts over: what was learned under the old one may not
				// hold
				this.adaptive = new AdaptiveConcurrency(newPolicy.maxConcurrent());
			}
			this.policy = newPolicy;
			return true;
		});
		// the policy restores the provisional amounts: what was learned from refusals
		// applies again
		adoptLearned(this.learners.apply(newPolicy));
	}

	// ---- internals ----

	/** Lock held, local state. The rejection for a cost that exceeds a limit, or null. */
	private RequestTooLargeException fitsLocked(Cost cost) {
		try {
			this.state.checkFits(cost);
			return null;
		}
		catch (RequestTooLargeException ex) {
			return ex;
		}
	}

	/**
	 * Remote state (checked without the lock): rejects and reports a cost that exceeds a
	 * limit.
	 */
	private void checkFitsOrReport(Cost cost) {
		try {
			this.state.checkFits(cost);
		}
		catch (RequestTooLargeException ex) {
			this.listener.rejected(this.provider, this.key, ex);
			throw ex;
		}
	}

	/** Lock held, local state. Admits now or returns null. */
	private Permit admitNow(Cost cost) {
		if (adaptiveFull()) {
			return null;
		}
		PartitionState.Attempt attempt = this.state.tryAdmit(cost);
		if (!attempt.isAdmitted()) {
			return null;
		}
		return newPermit(cost, attempt.grant());
	}

	/**
	 * Lock held. Whether {@code max-concurrent: auto} holds the next call back until one
	 * in flight comes back (never waits: a lowered limit takes effect as calls return).
	 */
	private boolean adaptiveFull() {
		AdaptiveConcurrency limit = this.adaptive;
		return limit != null && this.inFlight >= limit.limit();
	}

	/**
	 * Lock held. Feeds {@code max-concurrent: auto} with how a call ended, before its
	 * slot is counted back.
	 */
	private void sample(Permit permit, boolean sent, long now) {
		AdaptiveConcurrency limit = this.adaptive;
		if (limit == null || !sent) {
			return;
		}
		Permit.Outcome outcome = permit.outcome();
		if (outcome == null || outcome == Permit.Outcome.SUCCEEDED) {
			limit.rate(requestRate());
			limit.succeeded(now - permit.admittedAt(), this.inFlight);
		}
		else if (outcome == Permit.Outcome.OVERLOADED) {
			// what the provider saw when the call arrived, not what is in flight now
			// (calls that returned meanwhile would make the provider's cap look lower
			// than it is)
			limit.overloaded(permit.inFlightAtAdmission(), now);
		}
	}

	/**
	 * Lock held. The request rate the limits in force allow, per second (the lowest
	 * {@code requests} limit, learned amounts included for a local state), 0 when none.
	 */
	private double requestRate() {
		double rate = 0;
		if (this.remote) {
			for (dev.llmthrottle.core.Limit limit : this.policy.limits()) {
				rate = lowerRate(rate, limit);
			}
		}
		else {
			// the limiters' limits in force, without the window sums a snapshot computes
			for (PacedRateLimiter limiter : this.state.rateLimiters()) {
				rate = lowerRate(rate, limiter.window().limit());
			}
		}
		return rate;
	}

	private static double lowerRate(double rate, dev.llmthrottle.core.Limit limit) {
		if (limit.dimension() != Dimension.REQUESTS || limit.period().isZero()) {
			return rate;
		}
		double perSecond = limit.amount() / (limit.period().toNanos() / 1e9);
		return (rate == 0 || perSecond < rate) ? perSecond : rate;
	}

	/** Lock held. */
	private Permit newPermit(Cost cost, Object grant) {
		long now = this.time.nanoTime();
		this.inFlight++;
		this.lastActivity = now;
		return new Permit(this, cost, now, grant, this.inFlight);
	}

	/** Lock held. A rejection for a caller about to queue, or null. */
	private ThrottleRejectedException checkQueueable(Cost cost, Priority priority) {
		ThrottlePolicy current = this.policy;
		if (this.queue.size() >= current.maxQueue()) {
			return new QueueFullException(this.provider, current.maxQueue());
		}
		// Foreseeable wait: everyone certain to go first (its lane, and the higher lanes
		// under strict priority), then this call, sent at the steady rate of each limit
		// (a lower bound: those ahead that a burst admits at once cost nothing)
		long share = PriorityLanes.shareOf(current.minShare());
		Cost ahead = this.queue.ahead(priority, share);
		PartitionState.Projection projection = this.state.project(this.queue.firstAhead(priority, share), ahead, cost);
		if (projection.nanos() > current.maxWait().toNanos()) {
			Parked parked = this.parked;
			if (parked != null && this.time.nanoTime() + current.maxWait().toNanos() - parked.until() < 0) {
				return parked.refusal().get();
			}
			return new MaxWaitExceededException(this.provider, projection.blockedBy(),
					Duration.ofNanos(projection.nanos()), current.maxWait());
		}
		return null;
	}

	/**
	 * Lock held, local state. Admits waiters from the head while they fit; returns
	 * completions to run unlocked.
	 */
	private List<Runnable> drainLocked() {
		List<Runnable> completions = null;
		long share = PriorityLanes.shareOf(this.policy.minShare());
		Waiter head;
		while ((head = this.queue.next(share)) != null) {
			if (head.isDone()) {
				this.queue.remove(head);
				continue;
			}
			if (adaptiveFull()) {
				break; // the next release drains again
			}
			PartitionState.Attempt attempt;
			try {
				attempt = this.state.tryAdmit(head.cost);
			}
			catch (RequestTooLargeException ex) {
				this.queue.remove(head);
				completions = add(completions, failure(head, ex));
				continue;
			}
			if (!attempt.isAdmitted()) {
				if (attempt.waitNanos() > 0) {
					long now = this.time.nanoTime();
					scheduleWakeUp(now, now + attempt.waitNanos());
				}
				break; // UNTIL_RELEASE: the next release drains again
			}
			this.queue.admitted(head, share);
			completions = add(completions, grant(head, newPermit(head.cost, attempt.grant())));
		}
		return (completions != null) ? completions : List.of();
	}

	/**
	 * Remote state: admits waiters from the head on the executor, one attempt at a time
	 * and never under the lock. A drain requested while one runs makes that one go round
	 * again.
	 */
	private void drainRemotely() {
		this.drainAgain.set(true);
		if (!this.draining.compareAndSet(false, true)) {
			return;
		}
		this.executor.execute(() -> {
			try {
				while (this.drainAgain.getAndSet(false)) {
					drainRemoteHeads();
				}
			}
			finally {
				this.draining.set(false);
			}
			if (this.drainAgain.get()) {
				drainRemotely();
			}
		});
	}

	private void drainRemoteHeads() {
		while (true) {
			Waiter head;
			this.lock.lock();
			try {
				long share = PriorityLanes.shareOf(this.policy.minShare());
				while ((head = this.queue.next(share)) != null && head.isDone()) {
					this.queue.remove(head);
				}
				if (head != null && adaptiveFull()) {
					return; // the next release drains again
				}
			}
			finally {
				this.lock.unlock();
			}
			if (head == null) {
				return;
			}
			PartitionState.Attempt attempt;
			try {
				attempt = this.state.tryAdmit(head.cost);
			}
			catch (RuntimeException ex) {
				Waiter failed = head;
				this.lock.lock();
				try {
					this.queue.remove(failed);
				}
				finally {
					this.lock.unlock();
				}
				failure(failed, ex).run();
				continue;
			}
			if (!attempt.isAdmitted()) {
				long wait = (attempt.waitNanos() > 0) ? attempt.waitNanos() : Duration.ofMillis(50).toNanos();
				this.lock.lock();
				try {
					long now = this.time.nanoTime();
					scheduleWakeUp(now, now + wait);
				}
				finally {
					this.lock.unlock();
				}
				return;
			}
			Runnable completion;
			this.lock.lock();
			try {
				// still the first of its lane (nothing else takes a lane's head away): a
				// higher lane's caller who arrived during the round trip comes next
				if (this.queue.isLaneHead(head) && !head.isDone()) {
					this.queue.admitted(head, PriorityLanes.shareOf(this.policy.minShare()));
					completion = grant(head, newPermit(head.cost, attempt.grant()));
				}
				else {
					completion = null;
				}
			}
			finally {
				this.lock.unlock();
			}
			if (completion != null) {
				completion.run();
			}
			else {
				this.state.release(attempt.grant(), head.cost, Cost.NONE, false);
			}
		}
	}

	private Runnable grant(Waiter waiter, Permit permit) {
		long waited = permit.admittedAt() - waiter.enqueuedAt;
		return () -> {
			this.listener.admitted(this.provider, this.key, waiter.cost, waited);
			waiter.grant(permit);
		};
	}

	private Runnable failure(Waiter waiter, RuntimeException ex) {
		return () -> {
			if (ex instanceof ThrottleRejectedException rejection) {
				this.listener.rejected(this.provider, this.key, rejection);
			}
			waiter.completeExceptionally(ex);
		};
	}

	private static List<Runnable> add(List<Runnable> list, Runnable completion) {
		List<Runnable> result = (list != null) ? list : new ArrayList<>(4);
		result.add(completion);
		return result;
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
		this.lock.lock();
		try {
			this.wakeUp = null;
			this.wakeUpAt = Long.MAX_VALUE;
		}
		finally {
			this.lock.unlock();
		}
		drain();
	}

	/** Lets the head of the queue try again, wherever the state lives. */
	private void drain() {
		if (this.remote) {
			drainRemotely();
			return;
		}
		List<Runnable> completions;
		this.lock.lock();
		try {
			completions = drainLocked();
		}
		finally {
			this.lock.unlock();
		}
		run(completions);
	}

	/**
	 * Runs a state change (under the lock for a local state), then lets waiters try
	 * again.
	 * @return whether it changed anything, or {@code null} when this partition is retired
	 * (nothing was run: the caller forwards to the successor)
	 */
	private Boolean change(java.util.function.BooleanSupplier change) {
		boolean changed;
		if (this.remote) {
			if (this.retired) {
				return null;
			}
			changed = change.getAsBoolean();
		}
		else {
			this.lock.lock();
			try {
				if (this.retired) {
					return null;
				}
				changed = change.getAsBoolean();
			}
			finally {
				this.lock.unlock();
			}
		}
		drain();
		return changed;
	}

	private <T> T locked(java.util.function.Supplier<T> read) {
		if (this.remote) {
			return read.get();
		}
		this.lock.lock();
		try {
			return read.get();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void expire(Waiter waiter) {
		if (waiter.isDone()) {
			return;
		}
		String blockedBy;
		this.lock.lock();
		try {
			if (!this.queue.isLaneHead(waiter)) {
				blockedBy = "callers ahead in the queue";
			}
			else if (this.queue.next(PriorityLanes.shareOf(this.policy.minShare())) != waiter) {
				blockedBy = "callers ahead in other priority lanes";
			}
			else {
				blockedBy = (this.remote) ? "shared limits" : describeHeadBlocker(waiter);
			}
		}
		finally {
			this.lock.unlock();
		}
		MaxWaitExceededException ex = new MaxWaitExceededException(this.provider, blockedBy, null,
				this.policy.maxWait());
		if (waiter.completeExceptionally(ex)) {
			this.listener.rejected(this.provider, this.key, ex);
		}
	}

	/** Lock held, local state. */
	private String describeHeadBlocker(Waiter head) {
		if (this.state.cooldownRemaining().compareTo(Duration.ZERO) > 0) {
			return "cooldown";
		}
		PartitionState.Projection projection = this.state.project(Cost.NONE, head.cost);
		return (projection.nanos() > 0) ? projection.blockedBy() : "concurrency";
	}

	/**
	 * Called when a waiter is cancelled or expired: take it out of the queue and let the
	 * next one try.
	 */
	void withdraw(Waiter waiter) {
		TimeSource.Cancellable deadline = waiter.deadline;
		if (deadline != null) {
			deadline.cancel();
		}
		this.lock.lock();
		try {
			this.queue.remove(waiter);
		}
		finally {
			this.lock.unlock();
		}
		drain();
	}

	void release(Permit permit, Cost actual, boolean sent) {
		if (this.remote) {
			this.lock.lock();
			try {
				long now = this.time.nanoTime();
				sample(permit, sent, now);
				this.inFlight--;
				this.lastActivity = now;
			}
			finally {
				this.lock.unlock();
			}
			this.executor.execute(() -> {
				this.state.release(permit.grant(), permit.cost(), actual, sent);
				drainRemotely();
			});
		}
		else {
			List<Runnable> completions;
			this.lock.lock();
			try {
				this.state.release(permit.grant(), permit.cost(), actual, sent);
				long now = this.time.nanoTime();
				sample(permit, sent, now);
				this.inFlight--;
				this.lastActivity = now;
				completions = drainLocked();
			}
			finally {
				this.lock.unlock();
			}
			run(completions);
		}
		this.listener.released(this.provider, this.key, permit.cost(), actual, sent);
	}

	void noteRepeatedRelease() {
		this.repeatedReleases.incrementAndGet();
	}

	private static void run(List<Runnable> completions) {
		for (int i = 0; i < completions.size(); i++) {
			completions.get(i).run();
		}
	}

}
