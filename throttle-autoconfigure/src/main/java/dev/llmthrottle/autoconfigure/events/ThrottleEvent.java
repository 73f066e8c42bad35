package dev.llmthrottle.autoconfigure.events;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One recorded event. Carries no raw key: {@code partition} is the hashed key (or
 * {@code default}, or {@code null} for provider-wide events) and free text in
 * {@code details} is redacted.
 *
 * @param sequence order of recording across all providers, from 1
 * @param timestamp when it happened, by the recorder's clock
 * @param type the {@link ThrottleEventType#id() type id}, e.g. {@code rate-limited}
 * @param provider the provider name
 * @param partition the hashed partition key, or {@code null} when the event concerns the
 * whole provider
 * @param details type-specific values (strings and numbers), in a stable order
 */
public record ThrottleEvent(long sequence, Instant timestamp, String type, String provider, String partition,
		Map<String, Object> details) {

	public ThrottleEvent {
		Objects.requireNonNull(timestamp, "timestamp");
		Objects.requireNonNull(type, "type");
		Objects.requireNonNull(provider, "provider");
		details = (details != null) ? details : Map.of();
	}

}
