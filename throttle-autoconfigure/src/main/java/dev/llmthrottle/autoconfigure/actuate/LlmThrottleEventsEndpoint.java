package dev.llmthrottle.autoconfigure.actuate;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

import dev.llmthrottle.autoconfigure.events.ThrottleEvent;
import dev.llmthrottle.autoconfigure.events.ThrottleEventRecorder;
import dev.llmthrottle.core.admission.LlmThrottlers;

/**
 * {@link Endpoint @Endpoint} {@code llmthrottleevents}: the most recent events of each
 * provider, oldest first, as kept by the {@link ThrottleEventRecorder} (bounded per
 * provider).
 */
@Endpoint(id = "llmthrottleevents")
public final class LlmThrottleEventsEndpoint {

	private final ThrottleEventRecorder recorder;

	private final LlmThrottlers throttlers;

	public LlmThrottleEventsEndpoint(ThrottleEventRecorder recorder, LlmThrottlers throttlers) {
		this.recorder = recorder;
		this.throttlers = throttlers;
	}

	/** The events of every provider, by provider name. */
	@ReadOperation
	public EventsDescriptor events() {
		return new EventsDescriptor(this.recorder.capacity(), this.recorder.events());
	}

	/**
	 * The events of one provider, or {@code null} (404) when there is no such provider.
	 */
	@ReadOperation
	public @Nullable ProviderEventsDescriptor providerEvents(@Selector String provider) {
		if (!this.throttlers.contains(provider)) {
			return null;
		}
		return new ProviderEventsDescriptor(provider, this.recorder.capacity(), this.recorder.events(provider));
	}

	/**
	 * Recent events of every provider.
	 *
	 * @param capacity events kept per provider
	 * @param providers events by provider name, oldest first
	 */
	public record EventsDescriptor(int capacity,
			Map<String, List<ThrottleEvent>> providers) implements OperationResponseBody {
	}

	/**
	 * Recent events of one provider.
	 *
	 * @param provider the provider name
	 * @param capacity events kept
	 * @param events oldest first
	 */
	public record ProviderEventsDescriptor(String provider, int capacity,
			List<ThrottleEvent> events) implements OperationResponseBody {
	}

}
