package dev.llmthrottle.core.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;

/**
 * One partition's {@link RefusalRateLearner}s: one per {@code auto} request limit of the
 * policy. Token limits are not learned this way: their provisional amount leaves them
 * uncapped, and a multiplicative decrease from there would take hundreds of refusals; a
 * token 429 still cools the partition down. Thread-safe (one monitor), so that a
 * partition over a remote state, which calls it without its lock, uses it the same way.
 */
final class RefusalLearners {

	private List<RefusalRateLearner> learners;

	/** The amount last applied to the state, per learner. */
	private long[] applied;

	RefusalLearners(ThrottlePolicy policy) {
		this.learners = create(policy, List.of());
		this.applied = amounts(this.learners);
	}

	/**
	 * A success: the amounts that grew by at least 1% since they were last applied (so
	 * that a shared state is not rewritten on every success; decreases always apply).
	 */
	synchronized List<Learned> onSuccess(long now) {
		List<Learned> changed = List.of();
		for (int i = 0; i < this.learners.size(); i++) {
			RefusalRateLearner learner = this.learners.get(i);
			if (!learner.active()) {
				continue;
			}
			long amount = learner.onSuccess(now);
			long applied = this.applied[i];
			if (amount - applied >= Math.max(1, applied / 100)) {
				this.applied[i] = amount;
				changed = add(changed, learner);
			}
		}
		return changed;
	}

	/** A rate refusal with its hint: the amounts that changed. */
	synchronized List<Learned> onRefusal(long now, long hintNanos) {
		List<Learned> changed = List.of();
		for (int i = 0; i < this.learners.size(); i++) {
			RefusalRateLearner learner = this.learners.get(i);
			if (learner.active() && learner.onRefusal(now, hintNanos) != this.applied[i]) {
				this.applied[i] = learner.amount();
				changed = add(changed, learner);
			}
		}
		return changed;
	}

	/** The provider stated the limit of {@code dimension} over {@code period}. */
	synchronized void stop(Dimension dimension, Duration period) {
		if (dimension != Dimension.REQUESTS) {
			return;
		}
		for (RefusalRateLearner learner : this.learners) {
			if (learner.period().equals(period)) {
				learner.stop();
			}
		}
	}

	/**
	 * A changed policy: learners of the same period keep what they learned, others start
	 * afresh.
	 * @return the amounts to apply again over the policy's provisional ones
	 */
	synchronized List<Learned> apply(ThrottlePolicy policy) {
		this.learners = create(policy, this.learners);
		this.applied = amounts(this.learners);
		List<Learned> learned = List.of();
		for (RefusalRateLearner learner : this.learners) {
			if (learner.active() && !learner.starting()) {
				learned = add(learned, learner);
			}
		}
		return learned;
	}

	/** The active learners' state, with the amounts applied. */
	synchronized List<Learned> learned() {
		List<Learned> learned = List.of();
		for (int i = 0; i < this.learners.size(); i++) {
			RefusalRateLearner learner = this.learners.get(i);
			if (learner.active()) {
				learned = add(learned, learner, this.applied[i]);
			}
		}
		return learned;
	}

	private static List<RefusalRateLearner> create(ThrottlePolicy policy, List<RefusalRateLearner> existing) {
		List<RefusalRateLearner> created = new ArrayList<>(1);
		for (Limit limit : policy.autoLimits()) {
			if (limit.dimension() != Dimension.REQUESTS) {
				continue;
			}
			RefusalRateLearner kept = null;
			for (RefusalRateLearner learner : existing) {
				if (learner.period().equals(limit.period())) {
					kept = learner;
				}
			}
			created.add((kept != null) ? kept : new RefusalRateLearner(limit.amount(), limit.period()));
		}
		return List.copyOf(created);
	}

	private static long[] amounts(List<RefusalRateLearner> learners) {
		long[] amounts = new long[learners.size()];
		for (int i = 0; i < amounts.length; i++) {
			amounts[i] = learners.get(i).amount();
		}
		return amounts;
	}

	private static List<Learned> add(List<Learned> list, RefusalRateLearner learner) {
		return add(list, learner, learner.amount());
	}

	private static List<Learned> add(List<Learned> list, RefusalRateLearner learner, long amount) {
		List<Learned> result = list.isEmpty() ? new ArrayList<>(1) : list;
		result.add(new Learned(learner.period(), amount, learner.ceiling(), learner.refusals()));
		return result;
	}

	/**
	 * An {@code auto} request limit as learned from refusals.
	 *
	 * @param period the limit's period
	 * @param amount the amount in force
	 * @param ceiling the amount last refused, 0 before any refusal
	 * @param refusals the refusals that lowered it
	 */
	record Learned(Duration period, long amount, long ceiling, long refusals) {
	}

}
