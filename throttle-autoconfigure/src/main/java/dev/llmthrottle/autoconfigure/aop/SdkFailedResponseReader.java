package dev.llmthrottle.autoconfigure.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import tools.jackson.databind.json.JsonMapper;

import dev.llmthrottle.protocol.ProtocolHeaders;

/**
 * Reads the service exceptions of the official SDKs (openai-java
 * {@code OpenAIServiceException}, anthropic-java {@code AnthropicServiceException}),
 * which are not dependencies of this module: an exception is recognised by the name of a
 * superclass and read through the public methods the SDKs share, {@code statusCode()},
 * {@code headers()} ({@code names()}, {@code values(name)}) and {@code body()}.
 *
 * <p>
 * Reflection runs on the failure path only, and each method is looked up once per class
 * ({@link ClassValue}, which does not keep class loaders alive). The body is a
 * {@code JsonValue} whose {@code toString()} is not JSON (an object prints as
 * {@code {type=..., code=...}}), so it is turned into plain Java values with its own
 * {@code convert(Class)} and written as JSON here; {@code toString()} is the fallback.
 */
final class SdkFailedResponseReader implements FailedResponseReader {

	/** The SDK base classes read by default. */
	static final List<String> SDK_EXCEPTIONS = List.of("com.openai.errors.OpenAIServiceException",
			"com.anthropic.errors.AnthropicServiceException");

	private final Set<String> baseClassNames;

	private final ClassValue<Optional<ExceptionMethods>> exceptions = new ClassValue<>() {

		@Override
		protected Optional<ExceptionMethods> computeValue(Class<?> type) {
			return ExceptionMethods.find(type, SdkFailedResponseReader.this.baseClassNames);
		}

	};

	private final ClassValue<Optional<HeaderMethods>> headers = new ClassValue<>() {

		@Override
		protected Optional<HeaderMethods> computeValue(Class<?> type) {
			return HeaderMethods.find(type);
		}

	};

	private final ClassValue<Optional<Method>> converters = new ClassValue<>() {

		@Override
		protected Optional<Method> computeValue(Class<?> type) {
			return publicMethod(type, "convert", Class.class);
		}

	};

	SdkFailedResponseReader(Collection<String> baseClassNames) {
		this.baseClassNames = Set.copyOf(baseClassNames);
	}

	@Override
	public FailedResponse read(Throwable failure) {
		Optional<ExceptionMethods> methods = this.exceptions.get(failure.getClass());
		if (methods.isEmpty()) {
			return null;
		}
		try {
			ExceptionMethods accessors = methods.get();
			int status = ((Number) accessors.statusCode().invoke(failure)).intValue();
			return new FailedResponse(status, headers(accessors.headers().invoke(failure)),
					body(accessors.body().invoke(failure)));
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			return null; // not readable after all: the failure is passed on unchanged
		}
	}

	private ProtocolHeaders headers(Object sdkHeaders) throws ReflectiveOperationException {
		if (sdkHeaders == null) {
			return ProtocolHeaders.empty();
		}
		Optional<HeaderMethods> methods = this.headers.get(sdkHeaders.getClass());
		if (methods.isEmpty()) {
			return ProtocolHeaders.empty();
		}
		ProtocolHeaders.Builder builder = ProtocolHeaders.builder();
		for (Object name : (Collection<?>) methods.get().names().invoke(sdkHeaders)) {
			if (name instanceof String text) {
				Object values = methods.get().values().invoke(sdkHeaders, text);
				if (values instanceof Collection<?> all) {
					all.forEach((value) -> builder.add(text, String.valueOf(value)));
				}
			}
		}
		return builder.build();
	}

	private String body(Object body) {
		if (body == null) {
			return "";
		}
		if (body instanceof CharSequence text) {
			return text.toString();
		}
		Optional<Method> convert = this.converters.get(body.getClass());
		if (convert.isPresent()) {
			try {
				Object plain = convert.get().invoke(body, Object.class);
				if (plain == null) {
					return "";
				}
				return (plain instanceof String text) ? text : JsonMapper.shared().writeValueAsString(plain);
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				// a missing body cannot be converted; fall back to its text
			}
		}
		return String.valueOf(body);
	}

	private static Optional<Method> publicMethod(Class<?> type, String name, Class<?>... parameterTypes) {
		try {
			Method method = type.getMethod(name, parameterTypes);
			return Modifier.isPublic(method.getDeclaringClass().getModifiers()) ? Optional.of(method)
					: Optional.empty();
		}
		catch (NoSuchMethodException | SecurityException ex) {
			return Optional.empty();
		}
	}

	/**
	 * The accessors of an SDK service exception, taken from its public SDK base class.
	 */
	private record ExceptionMethods(Method statusCode, Method headers, Method body) {

		static Optional<ExceptionMethods> find(Class<?> type, Set<String> baseClassNames) {
			for (Class<?> candidate = type; candidate != null; candidate = candidate.getSuperclass()) {
				if (baseClassNames.contains(candidate.getName())) {
					Optional<Method> statusCode = publicMethod(candidate, "statusCode");
					Optional<Method> headers = publicMethod(candidate, "headers");
					Optional<Method> body = publicMethod(candidate, "body");
					if (statusCode.isEmpty() || headers.isEmpty() || body.isEmpty()) {
						return Optional.empty();
					}
					return Optional.of(new ExceptionMethods(statusCode.get(), headers.get(), body.get()));
				}
			}
			return Optional.empty();
		}

	}

	/** The accessors of an SDK's {@code Headers}. */
	private record HeaderMethods(Method names, Method values) {

		static Optional<HeaderMethods> find(Class<?> type) {
			Optional<Method> names = publicMethod(type, "names");
			Optional<Method> values = publicMethod(type, "values", String.class);
			return (names.isPresent() && values.isPresent()) ? Optional.of(new HeaderMethods(names.get(), values.get()))
					: Optional.empty();
		}

	}

}
