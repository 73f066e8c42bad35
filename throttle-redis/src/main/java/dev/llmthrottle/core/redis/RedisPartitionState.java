package dev.llmthrottle.core.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.MaxWaitExceededException;
import dev.llmthrottle.core.RequestTooLargeException;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.PartitionSnapshot;
import dev.llmthrottle.core.admission.PartitionState;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.core.rate.PacedWindow;
import dev.llmthrottle.core.redis.PartitionScript.AdmitReply;
import dev.llmthrottle.core.redis.RedisPartitionStates.BackendFailure;

/**
 * One partition's state in Redis, shared by every instance: the same rules as the
 * in-memory state (exact trailing window with the 1% guard, GCRA pacing, concurrency,
 * cooldown), decided by one script call per admission on Redis server time.
 *
 * <p>
 * {@link #tryAdmit} and {@link #release} block for at most the command timeout and run on
 * the partition's executor; everything else returns at once, sending to Redis
 * asynchronously and answering from what the last replies said (cooldown, window sums).
 * When Redis fails, the provider's {@link FailurePolicy} decides: refuse, or admit
 * against an in-memory state holding {@code 1/expected-instances} of each limit, until
 * Redis answers again; what that local state admitted is then charged to Redis, so the
 * shared window accounts for it.
 */
final class RedisPartitionState implements PartitionState {

	private static final int MAX_ORPHANED_LEASES = 10_000;

	private static final int MAX_PENDING_SETTLEMENTS = 10_000;

	/**
	 * How soon a caller of {@link #tryCharge} asks again while its charge is on its way
	 * (about a round trip).
	 */
	private static final long CHARGE_POLL_NANOS = 1_000_000;

	/**
	 * After a reply past its deadline: ask again this soon (the clock estimate is fresh;
	 * no busy loop).
	 */
	private static final long LATE_REPLY_RETRY_NANOS = 1_000_000;

	private static final long DAY_NANOS = Duration.ofDays(1).toNanos();

	private final RedisPartitionStates shared;

	private final String provider;

	private final String partitionKey;

	private final RedisKeys keys;

	private final TimeSource time;

	private final Set<String> heldLeases = ConcurrentHashMap.newKeySet();

	/**
	 * Leases whose release could not be sent (Redis down or slow): released once it
	 * answers again.
	 */
	private final Queue<String> orphanedLeases = new ConcurrentLinkedQueue<>();

	private final AtomicInteger orphanCount = new AtomicInteger();

	/**
	 * Settlements made while Redis could not be reached: carried to it once it answers
	 * again.
	 */
	private final PendingSettlements pending = new PendingSettlements(MAX_PENDING_SETTLEMENTS);

	/** Guards the fallback state, which (like every local state) is not thread-safe. */
	private final ReentrantLock fallbackLock = new ReentrantLock();

	private PartitionState fallback;

	/**
	 * Whether a fallback or orphaned leases may exist: lets a healthy admission skip the
	 * recovery step cheaply.
	 */
	private volatile boolean recoveryPending;

	private volatile ThrottlePolicy policy;

	/**
	 * The limits in force (configured, or lower where learned) with the window sums of
	 * the latest reply.
	 */
	private volatile View view;

	/** Cooldown as last set here or seen in a reply; guarded by {@code this}. */
	private long cooldownUntil;

	private String cooldownReason;

	/**
	 * The wait Redis gave the cost at the head of the queue: asking again before it ends
	 * is pointless.
	 */
	private volatile NotBefore notBefore;

	/** The latest charge sent by {@link #tryCharge}, until a caller takes its reply. */
	private final AtomicReference<PendingCharge> pendingCharge = new AtomicReference<>();

	RedisPartitionState(RedisPartitionStates shared, ThrottlePolicy policy, String partitionKey, TimeSource time) {
		this.shared = shared;
		this.provider = policy.provider();
		this.partitionKey = partitionKey;
		this.keys = RedisKeys.of(shared.settings().keyPrefix(), this.provider, partitionKey);
		this.time = time;
		this.cooldownUntil = time.nanoTime();
		this.policy = policy;
		this.view = View.of(policy.limits());
	}

	@Override
	public boolean remote() {
		return true;
	}

	@Override
	public Attempt tryAdmit(Cost cost) {
		checkFits(cost);
		NotBefore cached = this.notBefore;
		if (cached != null && cached.cost.equals(cost)) {
			long left = cached.until - this.time.nanoTime();
			if (left > 0) {
				refuseBeyondMaxWait(cached.blockedBy, left);
				return Attempt.waitFor(left);
			}
		}
		BackendHealth health = this.shared.health();
		if (health.redisAllowed()) {
			try {
				return admitOnRedis(cost);
			}
			catch (BackendFailure ex) {
				health.failed(ex.getCause());
			}
		}
		return admitDegraded(cost);
	}

	/**
	 * A wait the script answered beyond max-wait (from now, so beyond the waiting
	 * caller's deadline too) is refused at once, as the in-memory state's projection
	 * does, instead of being waited out. A concurrency wait is a poll, not a projection,
	 * and is never refused here.
	 */
	private void refuseBeyondMaxWait(String blockedBy, long waitNanos) {
		Duration maxWait = this.policy.maxWait();
		if (!"concurrency".equals(blockedBy) && waitNanos > maxWait.toNanos()) {
			throw new MaxWaitExceededException(this.provider, blockedBy, Duration.ofNanos(waitNanos), maxWait);
		}
	}

	private Attempt admitOnRedis(Cost cost) {
		View current = this.view;
		ThrottlePolicy currentPolicy = this.policy;
		RedisBackendSettings settings = this.shared.settings();
		String leaseId = (currentPolicy.maxConcurrent() > 0) ? this.shared.newLeaseId() : "";
		long sentAt = this.time.nanoTime();
		List<String> args = PartitionScript.admit(0,
				this.shared.clock().deadline(sentAt, settings.commandTimeout().toNanos()), leaseId,
				currentPolicy.maxConcurrent(), micros(settings.leaseTtl()), micros(settings.concurrencyPoll()),
				current.limits, bursts(current.limits, currentPolicy), cost);
		AdmitReply reply;
		try {
			reply = AdmitReply.parse(this.shared.call(PartitionScript.keys(this.keys, current.limits), args),
					current.limits.size());
		}
		catch (BackendFailure ex) {
			if (!leaseId.isEmpty()) {
				// it may have been taken before the reply was lost: hand it back once
				// Redis answers
				orphan(leaseId);
			}
			throw ex;
		}
		catch (RuntimeException ex) {
			throw new BackendFailure(ex);
		}
		long receivedAt = this.time.nanoTime();
		this.shared.clock().observe(reply.now(), receivedAt);
		// Redis answered: a reply past its deadline (nothing taken) says the command
		// waited somewhere (a pause of
		// this JVM, a socket buffer), not that Redis fails; the clock estimate is fresh,
		// so just ask again.
		this.shared.health().succeeded();
		afterRecovery();
		if (reply.status() < 0) {
			this.shared.lateReply();
			return Attempt.waitFor(LATE_REPLY_RETRY_NANOS);
		}
		if (reply.status() == 0) {
			long wait = noteWait(cost, reply, receivedAt);
			refuseBeyondMaxWait(reply.blockedBy(), wait);
			return Attempt.waitFor(wait);
		}
		this.notBefore = null;
		noteSums(current, reply.sums());
		if (!leaseId.isEmpty()) {
			this.heldLeases.add(leaseId);
			this.shared.leases().hold(this);
		}
		return Attempt.admitted(new RedisGrant(leaseId, current.limits, reply.buckets()));
	}

	/**
	 * Remembers what a refusal of the script said; returns the wait in nanoseconds (at
	 * least 1).
	 */
	private long noteWait(Cost cost, AdmitReply reply, long receivedAt) {
		long waitNanos = saturatedNanos(reply.waitMicros());
		if ("cooldown".equals(reply.blockedBy())) {
			noteCooldown(receivedAt + waitNanos, reply.cooldownReason());
		}
		if (!"concurrency".equals(reply.blockedBy())) {
			this.notBefore = new NotBefore(cost, receivedAt + waitNanos, reply.blockedBy());
		}
		return Math.max(1, waitNanos);
	}

	private synchronized void noteSums(View current, long[] sums) {
		if (this.view == current) { // not replaced meanwhile by a learned limit or a new
									// policy
			this.view = current.withSums(sums);
		}
	}

	private Attempt admitDegraded(Cost cost) {
		BackendHealth health = this.shared.health();
		health.probeIfDue();
		if (this.shared.settings().onFailure() == FailurePolicy.FAIL_CLOSED) {
			health.degradedDecision();
			throw new BackendUnavailableException(this.provider, health.reason());
		}
		long cooldown = cooldownRemainingNanos();
		if (cooldown > 0) {
			return Attempt.waitFor(cooldown);
		}
		Attempt attempt;
		this.fallbackLock.lock();
		try {
			PartitionState local = fallback();
			try {
				attempt = local.tryAdmit(cost);
			}
			catch (RequestTooLargeException ex) {
				health.degradedDecision();
				throw new BackendUnavailableException(this.provider,
						health.reason() + "; the call does not fit this instance's share, " + ex.limit());
			}
			if (attempt.isAdmitted()) {
				attempt = Attempt.admitted(new LocalGrant(local, attempt.grant()));
			}
		}
		finally {
			this.fallbackLock.unlock();
		}
		if (attempt.isAdmitted()) {
			health.degradedDecision();
		}
		return attempt;
	}

	/** Lock held. The in-memory state used while Redis fails, created on first need. */
	private PartitionState fallback() {
		if (this.fallback == null) {
			this.recoveryPending = true;
			this.fallback = Factory.LOCAL.create(share(this.policy), this.partitionKey, this.fallbackLock, this.time);
		}
		return this.fallback;
	}

	/**
	 * This instance's share of a policy: each limit and the concurrency cap divided by
	 * the expected instances.
	 */
	private ThrottlePolicy share(ThrottlePolicy full) {
		int instances = this.shared.settings().expectedInstances();
		List<Limit> limits = new ArrayList<>();
		for (Limit limit : this.view.configured(full.limits())) {
			limits.add(Limit.of(limit.dimension(), Math.max(1, limit.amount() / instances), limit.period()));
		}
		int concurrent = (full.maxConcurrent() > 0) ? Math.max(1, full.maxConcurrent() / instances) : 0;
		return ThrottlePolicy.of(full.provider(), concurrent, limits.toArray(Limit[]::new))
			.withMaxWait(full.maxWait())
			.withMaxQueue(full.maxQueue())
			.withBurst(full.burst())
			.withMaxPartitions(full.maxPartitions())
			.withShapes(full.shapes());
	}

	/**
	 * After a successful script: release leases that could not be released before, and
	 * charge what the local fallback admitted meanwhile (as of now, a little later than
	 * it happened: safe).
	 */
	private void afterRecovery() {
		if (!this.recoveryPending) {
			return;
		}
		this.recoveryPending = false;
		for (PendingSettlements.Settlement settlement : this.pending.drain()) {
			this.shared.send(settlement.keys(), settlement.args(), null, this.shared::settlementNotCarried);
		}
		String orphan;
		while ((orphan = this.orphanedLeases.poll()) != null) {
			this.orphanCount.decrementAndGet();
			List<ScriptLimit> none = List.of();
			this.shared.send(PartitionScript.keys(this.keys, none),
					PartitionScript.settle(0, orphan, none, new long[0], new long[0], new long[0]), null);
		}
		PartitionState local;
		List<PartitionSnapshot.LimitState> used;
		this.fallbackLock.lock();
		try {
			local = this.fallback;
			if (local == null) {
				return;
			}
			this.fallback = null;
			used = local.limits();
		}
		finally {
			this.fallbackLock.unlock();
		}
		List<ScriptLimit> limits = this.view.limits;
		long[] amounts = new long[limits.size()];
		boolean any = false;
		for (int i = 0; i < amounts.length; i++) {
			for (PartitionSnapshot.LimitState state : used) {
				if (limits.get(i).sameWindow(state.limit())) {
					amounts[i] = state.used();
					any |= state.used() > 0;
				}
			}
		}
		if (any) {
			charge(limits, amounts);
		}
	}

	@Override
	public void release(Object grant, Cost estimate, Cost actual, boolean sent) {
		this.notBefore = null; // a slot or a refund may let the head through earlier than
								// it was told
		if (grant instanceof LocalGrant local) {
			releaseLocal(local, estimate, actual, sent);
			return;
		}
		RedisGrant taken = (RedisGrant) grant;
		boolean leased = !taken.leaseId.isEmpty();
		if (leased) {
			this.heldLeases.remove(taken.leaseId);
		}
		long[] admitted = PartitionScript.amounts(taken.limits, estimate);
		long[] real = PartitionScript.actual(taken.limits, estimate, actual, sent);
		if (!leased && Arrays.equals(admitted, real)) {
			return; // nothing to settle: no round trip
		}
		List<ScriptLimit> limits = this.view.inForce(taken.limits);
		PendingSettlements.Settlement settlement = new PendingSettlements.Settlement(
				PartitionScript.keys(this.keys, limits),
				PartitionScript.settle(0, taken.leaseId, limits, taken.buckets, admitted, real));
		BackendHealth health = this.shared.health();
		if (!health.redisAllowed()) {
			keep(taken, settlement, taken.leaseId);
			return;
		}
		try {
			List<Object> reply = this.shared.call(settlement.keys(), settlement.args());
			health.succeeded();
			if (leased && PartitionScript.number(reply.get(0)) == 0) {
				this.shared.unknownLeaseReleased();
			}
			afterRecovery();
		}
		catch (BackendFailure ex) {
			health.failed(ex.getCause());
			// it may have run before the reply was lost: carried again, a debt counts
			// twice (the safe side) and
			// the lease release is answered "unknown"
			keep(taken, settlement, taken.leaseId);
		}
	}

	/**
	 * A permit the local fallback admitted: settled there while that fallback is in use
	 * (what it holds is charged to Redis on recovery); after recovery its debt is carried
	 * to Redis (its estimate was charged with the fallback's window). A refund of such a
	 * permit is not carried: the shared window keeps the estimate (safe).
	 */
	private void releaseLocal(LocalGrant local, Cost estimate, Cost actual, boolean sent) {
		this.fallbackLock.lock();
		try {
			if (local.state == this.fallback) {
				local.state.release(local.grant, estimate, actual, sent);
				return;
			}
		}
		finally {
			this.fallbackLock.unlock();
		}
		List<ScriptLimit> limits = this.view.limits;
		long[] admitted = PartitionScript.amounts(limits, estimate);
		long[] real = PartitionScript.actual(limits, estimate, actual, sent);
		long[] debts = new long[limits.size()];
		boolean any = false;
		for (int i = 0; i < debts.length; i++) {
			debts[i] = Math.max(0, real[i] - admitted[i]);
			any |= debts[i] > 0;
		}
		if (!any) {
			return;
		}
		PendingSettlements.Settlement settlement = chargeSettlement(limits, debts);
		if (this.shared.health().redisAllowed()) {
			this.shared.send(settlement.keys(), settlement.args(), null, this.shared::settlementNotCarried);
		}
		else {
			keep(local, settlement, "");
		}
	}

	/**
	 * Keeps a settlement for when Redis answers again; when full, it is counted as not
	 * carried.
	 */
	private void keep(Object permit, PendingSettlements.Settlement settlement, String leaseId) {
		if (this.pending.add(permit, settlement)) {
			this.recoveryPending = true;
			return;
		}
		this.shared.settlementNotCarried();
		if (!leaseId.isEmpty()) {
			orphan(leaseId); // at least the slot comes back
		}
	}

	private void orphan(String leaseId) {
		if (this.orphanCount.incrementAndGet() <= MAX_ORPHANED_LEASES) {
			this.orphanedLeases.add(leaseId);
			this.recoveryPending = true;
		}
		else {
			this.orphanCount.decrementAndGet(); // it expires with its TTL
		}
	}

	@Override
	public void checkFits(Cost cost) {
		for (ScriptLimit limit : this.view.limits) {
			long amount = cost.amount(limit.limit().dimension());
			if (amount > limit.amount()) {
				throw new RequestTooLargeException(this.provider, limit.limit(), amount);
			}
		}
	}

	@Override
	public Projection project(Cost ahead, Cost cost) {
		long projected = cooldownRemainingNanos();
		String blockedBy = (projected > 0) ? "cooldown" : "concurrency";
		NotBefore cached = this.notBefore;
		if (cached != null && !ahead.equals(Cost.NONE)) {
			// the head of the queue was told to wait this long; whoever queues behind it
			// waits at least as long
			long left = cached.until - this.time.nanoTime();
			if (left > projected) {
				projected = left;
				blockedBy = cached.blockedBy;
			}
		}
		for (ScriptLimit scriptLimit : this.view.limits) {
			Limit limit = scriptLimit.limit();
			double exact = Math.ceil((double) ahead.amount(limit.dimension()) * limit.periodNanos() / limit.amount());
			long paced = (exact >= Long.MAX_VALUE) ? Long.MAX_VALUE : (long) exact;
			if (paced > projected) {
				projected = paced;
				blockedBy = limit.toString();
			}
		}
		return new Projection(projected, blockedBy);
	}

	@Override
	public boolean coolDown(Duration duration, String reason) {
		long nanos = Math.min(saturatedNanos(duration), cooldownHorizonNanos(this.policy));
		if (nanos <= 0 || !noteCooldown(this.time.nanoTime() + nanos, reason)) {
			return false;
		}
		long millis = Math.max(1, (nanos + 999_999) / 1_000_000);
		if (this.shared.health().redisAllowed()) {
			this.shared.send(PartitionScript.keys(this.keys, List.of()),
					PartitionScript.coolDown(millis, (reason != null) ? reason : ""), null);
		}
		return true;
	}

	private synchronized boolean noteCooldown(long until, String reason) {
		if (until - this.cooldownUntil <= 0) {
			return false;
		}
		this.cooldownUntil = until;
		this.cooldownReason = reason;
		return true;
	}

	private synchronized long cooldownRemainingNanos() {
		return Math.max(0, this.cooldownUntil - this.time.nanoTime());
	}

	@Override
	public Duration cooldownRemaining() {
		return Duration.ofNanos(cooldownRemainingNanos());
	}

	@Override
	public synchronized String cooldownReason() {
		return (this.cooldownUntil - this.time.nanoTime() > 0) ? this.cooldownReason : null;
	}

	@Override
	public void reportRemaining(Dimension dimension, long remaining, Duration reset) {
		if (remaining < 0 || reset == null || reset.isNegative() || reset.isZero()) {
			return;
		}
		if (!this.shared.health().redisAllowed()) {
			withFallback(() -> {
				this.fallback.reportRemaining(dimension, remaining, reset);
				return null;
			});
			return;
		}
		List<ScriptLimit> limits = this.view.limits;
		long[] reported = new long[limits.size()];
		boolean any = false;
		for (int i = 0; i < reported.length; i++) {
			boolean match = limits.get(i).limit().dimension() == dimension;
			reported[i] = match ? remaining : -1;
			any |= match;
		}
		if (any) {
			this.shared.send(PartitionScript.keys(this.keys, limits),
					PartitionScript.report(0, limits, reported, micros(reset)), null);
		}
	}

	/**
	 * Not learned on the shared backend: its windows keep the fixed 1% guard of
	 * {@link ScriptLimit}, the same on every instance (a guard learned by one instance
	 * would stretch the shared windows differently from the others' decisions).
	 */
	@Override
	public boolean refusedWithRoom() {
		return false;
	}

	@Override
	public long guardPpm() {
		return PacedWindow.BASE_GUARD_PPM;
	}

	@Override
	public boolean learnLimit(Dimension dimension, long reportedAmount, Duration window) {
		if (reportedAmount < 1 || this.policy.isFigureOfAnotherLimit(dimension, reportedAmount, window)) {
			return false;
		}
		for (Limit configured : this.policy.limits()) {
			if (configured.dimension() == dimension && configured.period().equals(window)) {
				boolean auto = this.policy.isAuto(dimension, window);
				long target = auto ? reportedAmount : Math.min(configured.amount(), reportedAmount);
				View current;
				View learned;
				synchronized (this) {
					current = this.view;
					learned = current.withAmount(dimension, window, target);
					if (learned == current) {
						return false;
					}
					this.view = learned;
					this.notBefore = null;
				}
				sendRelearn(current, learned, true);
				return true;
			}
		}
		return false;
	}

	@Override
	public void charge(Cost extra) {
		if (!this.shared.health().redisAllowed()) {
			withFallback(() -> {
				this.fallback.charge(extra);
				return null;
			});
			return;
		}
		List<ScriptLimit> limits = this.view.limits;
		long[] amounts = PartitionScript.amounts(limits, extra);
		if (Arrays.stream(amounts).anyMatch((amount) -> amount > 0)) {
			charge(limits, amounts);
		}
	}

	/**
	 * A charge that keeps to the rates (a retry under a permit already held): one script
	 * call, the admission without a lease, charged if the cooldown is over and every
	 * limit has room now. Never blocks (the caller may be an event loop): the first call
	 * sends it and answers a short wait; a later call with the same cost takes the reply
	 * (0 when charged, else the wait the script gave). While Redis fails, the failure
	 * policy applies as to an admission.
	 */
	@Override
	public long tryCharge(Cost extra) {
		checkFits(extra);
		BackendHealth health = this.shared.health();
		if (health.redisAllowed()) {
			return chargeOnRedis(extra);
		}
		health.probeIfDue();
		if (this.shared.settings().onFailure() == FailurePolicy.FAIL_CLOSED) {
			health.degradedDecision();
			throw new BackendUnavailableException(this.provider, health.reason());
		}
		long cooldown = cooldownRemainingNanos();
		if (cooldown > 0) {
			return cooldown;
		}
		long wait;
		this.fallbackLock.lock();
		try {
			wait = fallback().tryCharge(extra);
		}
		catch (RequestTooLargeException ex) {
			health.degradedDecision();
			throw new BackendUnavailableException(this.provider,
					health.reason() + "; the call does not fit this instance's share, " + ex.limit());
		}
		finally {
			this.fallbackLock.unlock();
		}
		if (wait == 0) {
			health.degradedDecision();
		}
		return wait;
	}

	private long chargeOnRedis(Cost extra) {
		while (true) {
			PendingCharge pending = this.pendingCharge.get();
			if (pending != null && !pending.reply.isDone()) {
				return CHARGE_POLL_NANOS; // one is on its way: its reply decides
			}
			long now = this.time.nanoTime();
			boolean fresh = pending != null
					&& now - pending.sentAt <= this.shared.settings().commandTimeout().toNanos();
			if (pending != null && fresh && pending.cost.equals(extra)) {
				if (!this.pendingCharge.compareAndSet(pending, null)) {
					continue; // another caller took this reply
				}
				long answer = pending.reply.join();
				if (answer >= 0) {
					return answer; // 0: charged for this caller
				}
				// the call failed (the breaker is open now) or came late: decide again
				return this.shared.health().redisAllowed() ? CHARGE_POLL_NANOS : tryCharge(extra);
			}
			// a charged reply nobody came back for (another cost, or too long ago to
			// stand for a request sent now) is
			// dropped: charged once too often, the safe side
			NotBefore cached = this.notBefore;
			if (cached != null && cached.cost.equals(extra)) {
				long left = cached.until - now;
				if (left > 0) {
					return left;
				}
			}
			long cooldown = cooldownRemainingNanos();
			if (cooldown > 0) {
				return cooldown;
			}
			PendingCharge sent = new PendingCharge(extra, now, new CompletableFuture<>());
			if (!this.pendingCharge.compareAndSet(pending, sent)) {
				continue;
			}
			sendCharge(sent);
			return CHARGE_POLL_NANOS;
		}
	}

	/**
	 * Sends a pending charge; its reply completes with 0 (charged), the wait, or -1
	 * (failed or late).
	 */
	private void sendCharge(PendingCharge charge) {
		View current = this.view;
		RedisBackendSettings settings = this.shared.settings();
		List<String> args = PartitionScript.admit(0,
				this.shared.clock().deadline(this.time.nanoTime(), settings.commandTimeout().toNanos()), "", 0,
				micros(settings.leaseTtl()), micros(settings.concurrencyPoll()), current.limits,
				bursts(current.limits, this.policy), charge.cost);
		this.shared.send(PartitionScript.keys(this.keys, current.limits), args, (raw) -> {
			long answer = -1;
			try {
				AdmitReply reply = AdmitReply.parse(raw, current.limits.size());
				long receivedAt = this.time.nanoTime();
				this.shared.clock().observe(reply.now(), receivedAt);
				this.shared.health().succeeded();
				if (reply.status() < 0) {
					this.shared.lateReply();
				}
				else if (reply.status() == 0) {
					answer = noteWait(charge.cost, reply, receivedAt);
				}
				else {
					noteSums(current, reply.sums());
					answer = 0;
				}
			}
			finally {
				charge.reply.complete(answer);
			}
		}, () -> charge.reply.complete(-1L));
	}

	private void charge(List<ScriptLimit> limits, long[] amounts) {
		PendingSettlements.Settlement settlement = chargeSettlement(limits, amounts);
		this.shared.send(settlement.keys(), settlement.args(), null);
	}

	/**
	 * A charge after the fact: a settlement from 0 to {@code amounts}, in no admission's
	 * bucket.
	 */
	private PendingSettlements.Settlement chargeSettlement(List<ScriptLimit> limits, long[] amounts) {
		long[] noBuckets = new long[limits.size()];
		Arrays.fill(noBuckets, PartitionScript.NO_BUCKET);
		return new PendingSettlements.Settlement(PartitionScript.keys(this.keys, limits),
				PartitionScript.settle(0, "", limits, noBuckets, new long[limits.size()], amounts));
	}

	@Override
	public void apply(ThrottlePolicy newPolicy) {
		View old;
		View applied;
		synchronized (this) {
			old = this.view;
			this.policy = newPolicy;
			applied = View.of(newPolicy.limits());
			this.view = applied;
			this.notBefore = null;
		}
		// the pacing owed is rescaled as for a learned limit: learn, apply, learn never
		// multiplies it
		sendRelearn(old, applied, true);
		withFallback(() -> {
			this.fallback.apply(share(newPolicy));
			return null;
		});
	}

	/**
	 * Tells the script which limits changed amount (their held-back amount is dropped
	 * and, with {@code rescale}, the pacing owed is rescaled to the new rate), as the
	 * in-memory state does when it applies a policy or relearns.
	 */
	private void sendRelearn(View old, View changed, boolean rescale) {
		List<ScriptLimit> limits = new ArrayList<>();
		List<Long> oldAmounts = new ArrayList<>();
		for (ScriptLimit limit : changed.limits) {
			for (ScriptLimit before : old.limits) {
				if (before.sameWindow(limit.limit()) && before.amount() != limit.amount()) {
					limits.add(limit);
					oldAmounts.add(before.amount());
				}
			}
		}
		if (limits.isEmpty() || !this.shared.health().redisAllowed()) {
			return;
		}
		this.shared.send(PartitionScript.keys(this.keys, limits),
				PartitionScript.relearn(0, limits, oldAmounts.stream().mapToLong(Long::longValue).toArray(), rescale),
				null);
	}

	/**
	 * Runs {@code action} on the fallback under its lock, if there is one; returns its
	 * result or null.
	 */
	private <T> T withFallback(Supplier<T> action) {
		this.fallbackLock.lock();
		try {
			return (this.fallback != null) ? action.get() : null;
		}
		finally {
			this.fallbackLock.unlock();
		}
	}

	@Override
	public List<PartitionSnapshot.LimitState> limits() {
		View current = this.view;
		List<PartitionSnapshot.LimitState> states = new ArrayList<>(current.limits.size());
		for (int i = 0; i < current.limits.size(); i++) {
			Limit limit = current.limits.get(i).limit();
			long used = Math.min(current.sums[i], limit.amount());
			states.add(new PartitionSnapshot.LimitState(limit, current.sums[i], limit.amount() - used));
		}
		return states;
	}

	@Override
	public boolean isIdle() {
		return this.heldLeases.isEmpty() && this.orphanedLeases.isEmpty() && this.pending.isEmpty()
				&& withFallback(() -> Boolean.TRUE) == null;
	}

	boolean holdsLeases() {
		return !this.heldLeases.isEmpty();
	}

	/**
	 * Called by the heartbeat: extends every lease held here, in one asynchronous call.
	 */
	void renewLeases() {
		if (this.heldLeases.isEmpty()) {
			return;
		}
		List<String> ids = List.copyOf(this.heldLeases);
		this.shared.send(PartitionScript.keys(this.keys, List.of()),
				PartitionScript.renew(0, micros(this.shared.settings().leaseTtl()), ids), (reply) -> {
					// a lease released while the renewal was on its way is gone on
					// purpose, not lost
					long lost = PartitionScript.lostLeases(reply).stream().filter(this.heldLeases::contains).count();
					if (lost > 0) {
						this.shared.leasesLost(lost);
					}
				});
	}

	/**
	 * Each limit's pacing allowance, as the in-memory state applies it
	 * ({@link ThrottlePolicy#burstFor}: the limit's enforcement, its own burst or the
	 * policy's, token limits at least a tenth of their period when paced).
	 */
	private static long[] bursts(List<ScriptLimit> limits, ThrottlePolicy policy) {
		long[] bursts = new long[limits.size()];
		for (int i = 0; i < bursts.length; i++) {
			bursts[i] = micros(policy.burstFor(limits.get(i).limit()));
		}
		return bursts;
	}

	private static long micros(Duration duration) {
		return saturatedNanos(duration) / 1000;
	}

	/**
	 * A duration in nanoseconds, saturated at {@link Long#MAX_VALUE} (a provider's reset
	 * may be absurd).
	 */
	private static long saturatedNanos(Duration duration) {
		if (duration.isNegative()) {
			return 0;
		}
		if (duration.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L - 1) {
			return Long.MAX_VALUE;
		}
		return Math.max(0, duration.toNanos());
	}

	/**
	 * The longest cooldown kept, as in the in-memory state: a day, or two of the longest
	 * period if longer.
	 */
	private static long cooldownHorizonNanos(ThrottlePolicy policy) {
		long longest = saturatedNanos(policy.longestPeriod());
		return Math.max(DAY_NANOS, (longest > Long.MAX_VALUE / 2) ? Long.MAX_VALUE : 2 * longest);
	}

	private static long saturatedNanos(long micros) {
		return (micros >= Long.MAX_VALUE / 1000) ? Long.MAX_VALUE : Math.max(0, micros * 1000);
	}

	/**
	 * What a Redis admission took: its lease and the bucket charged per limit (as the
	 * limits were then).
	 */
	private record RedisGrant(String leaseId, List<ScriptLimit> limits, long[] buckets) {
	}

	/**
	 * What the local fallback admitted, and which fallback (a newer one may exist by the
	 * time it is released).
	 */
	private record LocalGrant(PartitionState state, Object grant) {
	}

	/**
	 * A charge sent to Redis and its answer: 0 charged, the wait in nanoseconds, or -1
	 * (failed or late).
	 */
	private record PendingCharge(Cost cost, long sentAt, CompletableFuture<Long> reply) {
	}

	private record NotBefore(Cost cost, long until, String blockedBy) {
	}

	/**
	 * The limits in force and each one's window sum as of the latest reply. Immutable.
	 */
	private static final class View {

		final List<ScriptLimit> limits;

		final long[] sums;

		private View(List<ScriptLimit> limits, long[] sums) {
			this.limits = limits;
			this.sums = sums;
		}

		static View of(List<Limit> limits) {
			List<ScriptLimit> list = new ArrayList<>(limits.size());
			for (Limit limit : limits) {
				list.add(ScriptLimit.of(limit));
			}
			return new View(List.copyOf(list), new long[list.size()]);
		}

		View withSums(long[] newSums) {
			return new View(this.limits, newSums);
		}

		/**
		 * This view with the amount of one limit changed, or this view if it already has
		 * that amount.
		 */
		View withAmount(Dimension dimension, Duration period, long amount) {
			List<ScriptLimit> list = new ArrayList<>(this.limits);
			for (int i = 0; i < list.size(); i++) {
				Limit limit = list.get(i).limit();
				if (limit.dimension() == dimension && limit.period().equals(period)) {
					if (limit.amount() == amount) {
						return this;
					}
					list.set(i, ScriptLimit.of(Limit.of(dimension, amount, period)));
					return new View(List.copyOf(list), this.sums);
				}
			}
			return this;
		}

		/**
		 * The same windows as {@code admitted} with the amounts in force now (a
		 * settlement paces at the current rate, as the in-memory state does), in the same
		 * order.
		 */
		List<ScriptLimit> inForce(List<ScriptLimit> admitted) {
			List<ScriptLimit> result = new ArrayList<>(admitted.size());
			for (ScriptLimit limit : admitted) {
				ScriptLimit now = limit;
				for (ScriptLimit scriptLimit : this.limits) {
					if (scriptLimit.sameWindow(limit.limit())) {
						now = scriptLimit;
					}
				}
				result.add(now);
			}
			return result;
		}

		/**
		 * The limits in force for each configured limit (learned amounts where learned).
		 */
		List<Limit> configured(List<Limit> configured) {
			List<Limit> result = new ArrayList<>(configured.size());
			for (Limit limit : configured) {
				Limit inForce = limit;
				for (ScriptLimit scriptLimit : this.limits) {
					if (scriptLimit.sameWindow(limit)) {
						inForce = scriptLimit.limit();
					}
				}
				result.add(inForce);
			}
			return result;
		}

	}

}
