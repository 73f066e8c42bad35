package dev.llmthrottle.autoconfigure.actuate;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the LLM throttle health contribution
 * ({@code management.health.llmthrottle.*}).
 */
@ConfigurationProperties("management.health.llmthrottle")
public class LlmThrottleHealthProperties {

	/**
	 * Cooldown remaining from which a provider's health is COOLDOWN rather than UP.
	 */
	private Duration longCooldown = Duration.ofSeconds(30);

	public Duration getLongCooldown() {
		return this.longCooldown;
	}

	public void setLongCooldown(Duration longCooldown) {
		this.longCooldown = longCooldown;
	}

}
