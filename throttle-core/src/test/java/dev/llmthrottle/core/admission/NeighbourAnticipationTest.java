package dev.llmthrottle.core.admission;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.llmthrottle.test.config.EnforcementModel;
import dev.llmthrottle.test.config.Limit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine against the simulated provider's enforcer in virtual time, configured with
 * the provider's full limit (100 requests per 2 s) while an unseen neighbour takes a
 * third of it: the neighbour's share is seen in the reported remaining and reserved
 * ahead, so that 600 calls draw fewer than 1% 429s in every enforcement model at an
 * efficiency of at least 0.90 of what the neighbour leaves. Without the reservation the
 * same runs drew 2, 10, 7 and 14 429s.
 */
class NeighbourAnticipationTest {

	@ParameterizedTest
	@EnumSource(EnforcementModel.class)
	void reservesTheNeighboursShareAhead(EnforcementModel model) {
		HeaderlessProviderRun run = new HeaderlessProviderRun(model, Limit.parse("requests:100/2s"), 600, 32,
				Duration.ofMillis(50), 42, 0.333)
			.start()
			.runFor(Duration.ofMinutes(2));
		PartitionSnapshot.LimitState state = run.partition().snapshot().limits().get(0);
		double bound = 600 / (100 * (1 - 0.333)) * 2;
		System.out.printf("%s: 429s %d, makespan %.1f s (bound %.1f, efficiency %.3f), share %.3f%n", model,
				run.refusals(), run.makespanSeconds(), bound, bound / run.makespanSeconds(), state.neighbourShare());
		assertThat(run.done()).isEqualTo(600);
		assertThat(run.refusals()).isLessThan(6);
		assertThat(bound / run.makespanSeconds()).as("efficiency").isGreaterThanOrEqualTo(0.90);
		assertThat(state.neighbourShare()).as("the share reserved (a third plus the margin)").isBetween(0.30, 0.45);
		// no reports for two periods (the neighbour and we both stopped): the share
		// lapses
		run.idle(Duration.ofMillis(4100));
		assertThat(run.partition().snapshot().limits().get(0).neighbourShare()).isZero();
	}

}
