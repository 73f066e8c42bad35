package dev.llmthrottle.autoconfigure.actuate;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the {@code llmthrottle} endpoint
 * ({@code management.endpoint.llmthrottle.*}).
 */
@ConfigurationProperties("management.endpoint.llmthrottle")
public class LlmThrottleEndpointProperties {

	/**
	 * Maximum number of partitions listed per provider; the total is always shown.
	 */
	private int partitionsShown = LlmThrottleEndpoint.DEFAULT_PARTITIONS_SHOWN;

	public int getPartitionsShown() {
		return this.partitionsShown;
	}

	public void setPartitionsShown(int partitionsShown) {
		this.partitionsShown = partitionsShown;
	}

}
