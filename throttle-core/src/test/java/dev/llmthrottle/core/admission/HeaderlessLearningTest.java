package dev.llmthrottle.core.admission;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Limit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine against the simulated provider's enforcer in virtual time, with
 * {@code requests-per-minute: auto} and no rate-limit header ever (the provider enforces
 * 100 requests per 10 s, 600 a minute): 600 calls from 32 callers finish, fewer than 3%
 * of them refused, within 1.6 times the provider's bound (60 s), and the amount learned
 * from the refusals alone is near the provider's rate (its fixed window admits bursts at
 * each boundary, so there the amount may stay higher; the window still refuses what it
 * must and the cooldowns pace the rest). Before the learner, the same run kept one
 * request a second: 600 s.
 */
class HeaderlessLearningTest {

	@ParameterizedTest
	@EnumSource(EnforcementModel.class)
	void learnsARateNearTheProvidersFromRefusalsAlone(EnforcementModel model) {
		HeaderlessProviderRun run = new HeaderlessProviderRun(model, Limit.parse("requests:100/10s"), 600, 32,
				Duration.ofMillis(50), 42)
			.start()
			.runFor(Duration.ofMinutes(5));
		RefusalLearners.Learned learned = run.partition().learnedFromRefusals().get(0);
		System.out.printf("%s: 429s %d, makespan %.1f s, learned %s%n", model, run.refusals(), run.makespanSeconds(),
				learned);
		assertThat(run.done()).isEqualTo(600);
		assertThat(run.refusals()).isLessThan(18);
		assertThat(run.makespanSeconds()).isLessThan(96);
		if (model != EnforcementModel.FIXED_WINDOW) {
			assertThat(learned.amount()).isBetween(400L, 1200L);
		}
		assertThat(run.partition().snapshot().limits().get(0).limit().amount()).isEqualTo(learned.amount());
	}

	@ParameterizedTest
	@EnumSource(value = EnforcementModel.class, names = "SLIDING_WINDOW")
	void aLimitStatedInHeadersStopsLearningFromRefusals(EnforcementModel model) {
		HeaderlessProviderRun run = new HeaderlessProviderRun(model, Limit.parse("requests:100/10s"), 600, 32,
				Duration.ofMillis(50), 42);
		Partition partition = run.partition();
		assertThat(partition.learnLimit(Dimension.REQUESTS, 600, Duration.ofMinutes(1))).isTrue();
		assertThat(partition.learnedFromRefusals()).isEmpty();
		run.start().runFor(Duration.ofMinutes(5));
		assertThat(partition.snapshot().limits().get(0).limit().amount()).isEqualTo(600);
	}

}
