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

	RefusalLearners(ThrottlePolicy policy) {
		this.learners = create(policy, List.of());
	}

	/** A success: the amounts that changed. */
	synchronized List<Learned> onSuccess(long now) {
		List<Learned> changed = List.of();
		for (RefusalRateLearner learner : this.learners) {
			long before = learner.amount();
			if (learner.active() && learner.onSuccess(now) != before) {
				changed = add(changed, learner);
			}
		}
		return changed;
	}

	/** A rate refusal with its hint: the amounts that changed. */
	synchronized List<Learned> onRefusal(long now, long hintNanos) {
		List<Learned> changed = List.of();
		for (RefusalRateLearner learner : this.learners) {
			long before = learner.amount();
			if (learner.active() && learner.onRefusal(now, hintNanos) != before) {
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
		List<Learned> learned = List.of();
		for (RefusalRateLearner learner : this.learners) {
			if (learner.active() && !learner.starting()) {
				learned = add(learned, learner);
			}
		}
		return learned;
	}

	/** The active learners' state. */
	synchronized List<Learned> learned() {
		List<Learned> learned = List.of();
		for (RefusalRateLearner learner : this.learners) {
			if (learner.active()) {
				learned = add(learned, learner);
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

	private static List<Learned> add(List<Learned> list, RefusalRateLearner learner) {
		List<Learned> result = list.isEmpty() ? new ArrayList<>(1) : list;
		result.add(new Learned(learner.period(), learner.amount(), learner.ceiling(), learner.refusals()));
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
