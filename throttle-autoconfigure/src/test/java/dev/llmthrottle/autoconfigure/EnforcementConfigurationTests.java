package dev.llmthrottle.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Enforcement;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.ThrottlePolicy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code enforcement} per provider (every limit, the shorthand keys included) and per
 * entry of {@code limits}, and a burst per limit (issue 14).
 */
class EnforcementConfigurationTests {

	private static final String SIM = "llm.throttle.providers.sim.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(ThrottleAutoConfigurations.all());

	@Test
	void unsetEnforcementPacesEveryLimitWithTheProvidersBurst() {
		this.runner.withPropertyValues(SIM + "requests-per-minute=240", SIM + "burst=2s").run((context) -> {
			ThrottlePolicy policy = context.getBean(ProviderDefinitions.class).get("sim").policy();
			Limit perMinute = Limit.perMinute(Dimension.REQUESTS, 240);
			assertThat(policy.enforcementFor(perMinute)).isEqualTo(Enforcement.PACED);
			assertThat(policy.burstFor(perMinute)).isEqualTo(Duration.ofSeconds(2));
		});
	}

	@Test
	void theProvidersEnforcementAppliesToShorthandLimitsAndAnEntryMaySetItsOwn() {
		this.runner.withPropertyValues(SIM + "requests-per-minute=240", SIM + "enforcement=sliding-window",
				SIM + "limits[0].dimension=requests", SIM + "limits[0].amount=40", SIM + "limits[0].period=10s",
				SIM + "limits[0].enforcement=paced", SIM + "limits[0].burst=10s", SIM + "limits[1].dimension=tokens",
				SIM + "limits[1].amount=1000", SIM + "limits[1].period=10s", SIM + "limits[1].enforcement=TOKEN_BUCKET")
			.run((context) -> {
				ThrottlePolicy policy = context.getBean(ProviderDefinitions.class).get("sim").policy();
				Limit perMinute = Limit.perMinute(Dimension.REQUESTS, 240);
				Limit perTen = Limit.of(Dimension.REQUESTS, 40, Duration.ofSeconds(10));
				Limit tokens = Limit.of(Dimension.TOKENS, 1000, Duration.ofSeconds(10));
				assertThat(policy.enforcementFor(perMinute)).isEqualTo(Enforcement.SLIDING_WINDOW);
				assertThat(policy.burstFor(perMinute)).isEqualTo(Duration.ofMinutes(1));
				assertThat(policy.enforcementFor(perTen)).isEqualTo(Enforcement.PACED);
				assertThat(policy.burstFor(perTen)).isEqualTo(Duration.ofSeconds(10));
				assertThat(policy.enforcementFor(tokens)).isEqualTo(Enforcement.TOKEN_BUCKET);
				assertThat(policy.burstFor(tokens)).isEqualTo(Duration.ofMillis(9990));
			});
	}

	@Test
	void aDefaultEnforcementIsInheritedByEveryProvider() {
		this.runner.withPropertyValues("llm.throttle.defaults.enforcement=fixed-window", SIM + "requests-per-minute=60")
			.run((context) -> {
				ThrottlePolicy policy = context.getBean(ProviderDefinitions.class).get("sim").policy();
				assertThat(policy.enforcementFor(Limit.perMinute(Dimension.REQUESTS, 60)))
					.isEqualTo(Enforcement.FIXED_WINDOW);
			});
	}

}
