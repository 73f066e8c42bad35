package dev.llmthrottle.autoconfigure.actuate;

import org.springframework.boot.context.properties.ConfigurationProperties;

import dev.llmthrottle.autoconfigure.events.ThrottleEventRecorder;

/**
 * Settings of the {@code llmthrottleevents} endpoint
 * ({@code management.endpoint.llmthrottleevents.*}).
 */
@ConfigurationProperties("management.endpoint.llmthrottleevents")
public class LlmThrottleEventsEndpointProperties {

	/**
	 * Maximum number of recent events kept in memory per provider; older ones are
	 * dropped.
	 */
	private int capacity = ThrottleEventRecorder.DEFAULT_CAPACITY;

	public int getCapacity() {
		return this.capacity;
	}

	public void setCapacity(int capacity) {
		this.capacity = capacity;
	}

}
