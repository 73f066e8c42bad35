package dev.llmthrottle.autoconfigure.actuate;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} for the {@link LlmThrottleEndpoint}:
 * over HTTP, a refused change of limits is answered with status 400 and the list of
 * problems in the body (Spring Boot's default error body would leave the message out),
 * and an unknown provider with 404. Values arrive as JSON strings or numbers;
 * {@code limits} is one comma-separated string.
 */
@EndpointWebExtension(endpoint = LlmThrottleEndpoint.class)
public final class LlmThrottleEndpointWebExtension {

	private final LlmThrottleEndpoint delegate;

	public LlmThrottleEndpointWebExtension(LlmThrottleEndpoint delegate) {
		this.delegate = delegate;
	}

	/** See {@link LlmThrottleEndpoint#updateLimits}. */
	@WriteOperation
	public WebEndpointResponse<Object> updateLimits(@Selector String provider, @Nullable Long requestsPerMinute,
			@Nullable Long tokensPerMinute, @Nullable Long inputTokensPerMinute, @Nullable Long outputTokensPerMinute,
			@Nullable Long requestsPerDay, @Nullable Long tokensPerDay, @Nullable String limits,
			@Nullable Integer maxConcurrent, @Nullable Boolean replace) {
		if (this.delegate.provider(provider) == null) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		try {
			return new WebEndpointResponse<>(
					this.delegate.updateLimits(provider, requestsPerMinute, tokensPerMinute, inputTokensPerMinute,
							outputTokensPerMinute, requestsPerDay, tokensPerDay, limits, maxConcurrent, replace));
		}
		catch (InvalidEndpointRequestException ex) {
			List<String> problems = (ex.getCause() instanceof InvalidThrottleConfigurationException invalid)
					? invalid.problems().stream().map(Object::toString).toList() : List.of(ex.getReason());
			return new WebEndpointResponse<>(new ProblemsDescriptor(problems), WebEndpointResponse.STATUS_BAD_REQUEST);
		}
	}

	/**
	 * Why a change was refused; nothing was changed.
	 *
	 * @param problems every problem, each naming the setting as in the startup
	 * configuration
	 */
	public record ProblemsDescriptor(List<String> problems) implements OperationResponseBody {
	}

}
