package dev.llmthrottle.test;

import dev.llmthrottle.test.config.Faults;
import dev.llmthrottle.test.dialect.ChatCall;
import dev.llmthrottle.test.dialect.Completion;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws each request's {@link CallPlan}. Completion lengths depend only on the seed and
 * the request body (so they do not depend on arrival order); jitter and faults come from
 * one seeded sequence in arrival order, drawn in a fixed order per request.
 */
final class CallPlanner {

	private static final long GOLDEN = 0x9E3779B97F4A7C15L;

	private final ProviderSettings settings;

	private final List<Integer> errorStatuses;

	private final SplittableRandom random;

	CallPlanner(ProviderSettings settings, List<Integer> defaultErrorStatuses) {
		this.settings = settings;
		List<Integer> configured = settings.faults().serverErrorStatuses();
		this.errorStatuses = configured.isEmpty() ? defaultErrorStatuses : configured;
		this.random = new SplittableRandom(settings.seed());
	}

	CallPlan plan(ChatCall call) {
		return plan(call, 0);
	}

	/**
	 * @param elapsedNanos how long after the provider's start the call arrived (for a
	 * latency step)
	 */
	CallPlan plan(ChatCall call, long elapsedNanos) {
		List<Long> choiceTokens = new ArrayList<>(call.choices());
		for (int i = 0; i < call.choices(); i++) {
			double u = new SplittableRandom(settings.seed() ^ (call.fingerprint() + GOLDEN * (i + 1))).nextDouble();
			choiceTokens.add(settings.completionLength().tokens(call.maxTokens(), u));
		}
		Completion completion = new Completion(call.promptTokens(), choiceTokens, call.maxTokens());
		Faults faults = settings.faults();
		double jitter;
		double serverError;
		double errorPick;
		double reset;
		double slow;
		double missing;
		double malformed;
		long garbageSeed;
		boolean millis;
		synchronized (random) {
			jitter = random.nextDouble();
			serverError = random.nextDouble();
			errorPick = random.nextDouble();
			reset = random.nextDouble();
			slow = random.nextDouble();
			missing = random.nextDouble();
			malformed = random.nextDouble();
			garbageSeed = random.nextLong();
			millis = random.nextBoolean();
		}
		long firstToken = settings.latency()
			.scaled(settings.latency().base().toNanos() + (long) (jitter * settings.latency().jitter().toNanos()),
					elapsedNanos);
		int status = serverError < faults.serverErrorProbability()
				? errorStatuses.get((int) (errorPick * errorStatuses.size())) : 0;
		return new CallPlan(completion, firstToken,
				settings.latency().scaled(settings.latency().perOutputToken().toNanos(), elapsedNanos),
				slow < faults.slowFirstByteProbability() ? faults.slowFirstByte().toNanos() : 0, status,
				status == 0 && reset < faults.connectionResetProbability(),
				missing < faults.missingHeadersProbability(), malformed < faults.malformedHeadersProbability(),
				garbageSeed, millis);
	}

}
