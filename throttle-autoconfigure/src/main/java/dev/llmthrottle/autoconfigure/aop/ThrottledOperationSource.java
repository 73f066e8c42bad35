package dev.llmthrottle.autoconfigure.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodClassKey;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

import dev.llmthrottle.annotation.LlmThrottled;
import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException;
import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException.Problem;
import dev.llmthrottle.autoconfigure.ProviderDefinition;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.admission.LlmThrottlers;

/**
 * Finds {@code @LlmThrottled} on methods (or their class) and resolves it into a
 * {@link ThrottledOperation}: resolves placeholders in the provider name, checks that the
 * provider exists, parses the expressions and fixes the default cost. Called for every
 * advised bean at startup, so any mistake fails startup naming the bean and method; the
 * results are cached for the calls.
 */
final class ThrottledOperationSource {

	private static final ThrottledOperation NONE = new ThrottledOperation("none", null, null, null, null,
			dev.llmthrottle.core.Priority.DEFAULT);

	private final Supplier<LlmThrottlers> throttlers;

	private final Supplier<ProviderDefinitions> definitions;

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	private final Map<MethodClassKey, ThrottledOperation> cache = new ConcurrentHashMap<>();

	private final Set<String> providers = ConcurrentHashMap.newKeySet();

	private volatile UnaryOperator<String> placeholders = UnaryOperator.identity();

	/**
	 * @param throttlers the registry (looked up when first needed)
	 * @param definitions the provider definitions, for default costs; may supply
	 * {@code null}
	 */
	ThrottledOperationSource(Supplier<LlmThrottlers> throttlers, Supplier<ProviderDefinitions> definitions) {
		this.throttlers = throttlers;
		this.definitions = definitions;
	}

	/**
	 * Resolves {@code ${...}} placeholders (and {@code #{...}} expressions) in the
	 * annotation's {@code provider} with this resolver, typically the bean factory's
	 * embedded value resolver, as Spring's {@code @ConcurrencyLimit} resolves its limit.
	 * Set once, before the first bean is validated.
	 * @param resolver returns the resolved value; may throw
	 * {@link IllegalArgumentException} for an unresolvable placeholder
	 */
	void resolvePlaceholdersWith(UnaryOperator<String> resolver) {
		this.placeholders = resolver;
	}

	/**
	 * Resolves every annotated method of a bean.
	 * @throws InvalidThrottleConfigurationException naming each method that cannot be
	 * throttled
	 */
	void validate(Class<?> targetClass, String beanName) {
		Set<Problem> problems = new LinkedHashSet<>();
		for (Method method : annotatedMethods(targetClass)) {
			resolve(method, targetClass, beanName, problems);
		}
		if (!problems.isEmpty()) {
			throw new InvalidThrottleConfigurationException(new ArrayList<>(problems));
		}
	}

	/**
	 * The operation of {@code method} invoked on {@code targetClass}, or {@code null}
	 * when it is not throttled.
	 * @throws InvalidThrottleConfigurationException if the annotation is unusable
	 * (normally caught at startup)
	 */
	ThrottledOperation operation(Method method, Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		ThrottledOperation cached = this.cache.get(new MethodClassKey(specific, targetClass));
		if (cached == null) {
			Set<Problem> problems = new LinkedHashSet<>();
			cached = resolve(specific, targetClass, null, problems);
			if (!problems.isEmpty()) {
				throw new InvalidThrottleConfigurationException(new ArrayList<>(problems));
			}
		}
		return (cached != NONE) ? cached : null;
	}

	/**
	 * The providers named by the annotated methods resolved so far (every advised bean's,
	 * after startup).
	 */
	Set<String> providers() {
		return Set.copyOf(this.providers);
	}

	private List<Method> annotatedMethods(Class<?> targetClass) {
		Set<Method> methods = new LinkedHashSet<>(MethodIntrospector
			.selectMethods(targetClass,
					(MethodIntrospector.MetadataLookup<LlmThrottled>) (method) -> AnnotatedElementUtils
						.findMergedAnnotation(method, LlmThrottled.class))
			.keySet());
		if (AnnotatedElementUtils.hasAnnotation(targetClass, LlmThrottled.class)) {
			methods.addAll(Arrays.asList(ReflectionUtils.getUniqueDeclaredMethods(targetClass,
					ThrottledOperationSource::isClassLevelCandidate)));
		}
		return new ArrayList<>(methods);
	}

	private static boolean isClassLevelCandidate(Method method) {
		int modifiers = method.getModifiers();
		return Modifier.isPublic(modifiers) && !Modifier.isStatic(modifiers) && !method.isBridge()
				&& !method.isSynthetic() && method.getDeclaringClass() != Object.class;
	}

	private ThrottledOperation resolve(Method method, Class<?> targetClass, String beanName, Set<Problem> problems) {
		MethodClassKey cacheKey = new MethodClassKey(method, targetClass);
		ThrottledOperation cached = this.cache.get(cacheKey);
		if (cached != null) {
			return cached;
		}
		LlmThrottled annotation = find(method, targetClass);
		if (annotation == null) {
			this.cache.put(cacheKey, NONE);
			return NONE;
		}
		String origin = "@LlmThrottled on " + ClassUtils.getQualifiedMethodName(method, targetClass) + "("
				+ parameterTypes(method) + ")" + ((beanName != null) ? " (bean '" + beanName + "')" : "");
		int before = problems.size();
		LlmThrottlers registry = this.throttlers.get();
		String provider = provider(annotation.provider(), origin, problems);
		if (provider == null) {
			return null;
		}
		if (!registry.contains(provider)) {
			problems.add(new Problem(origin, "names provider '" + provider
					+ "', which is not configured (llm.throttle.providers.*); known providers: " + registry.names()));
		}
		String[] names = this.parameterNames.getParameterNames(method);
		ThrottleExpression tokens = parse("tokens", annotation.tokens(), method, names, origin, problems);
		ThrottleExpression key = parse("key", annotation.key(), method, names, origin, problems);
		checkReturnType(method.getReturnType(), origin, problems);
		if (problems.size() > before) {
			return null;
		}
		ProviderDefinitions known = this.definitions.get();
		Cost defaultCost = Optional.ofNullable(known)
			.flatMap((all) -> all.find(provider))
			.map(ProviderDefinition::defaultCost)
			.orElse(Cost.oneRequest());
		ThrottledOperation operation = new ThrottledOperation(origin, registry.get(provider), tokens, key, defaultCost,
				annotation.priority());
		this.cache.put(cacheKey, operation);
		this.providers.add(provider);
		return operation;
	}

	/**
	 * The provider name with its placeholders resolved, or {@code null} after adding a
	 * problem.
	 */
	private String provider(String declared, String origin, Set<Problem> problems) {
		String resolved;
		try {
			resolved = this.placeholders.apply(declared);
		}
		catch (IllegalArgumentException ex) {
			problems.add(
					new Problem(origin, "has provider '" + declared + "' that cannot be resolved: " + ex.getMessage()));
			return null;
		}
		if (!StringUtils.hasText(resolved) || resolved.contains("${")) {
			problems.add(new Problem(origin, "has provider '" + declared + "' that resolves to '" + resolved
					+ "'; define the property it refers to"));
			return null;
		}
		return resolved.trim();
	}

	private static LlmThrottled find(Method method, Class<?> targetClass) {
		if (method.getDeclaringClass() == Object.class) {
			return null;
		}
		LlmThrottled annotation = AnnotatedElementUtils.findMergedAnnotation(method, LlmThrottled.class);
		if (annotation == null && isClassLevelCandidate(method)) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(targetClass, LlmThrottled.class);
		}
		return annotation;
	}

	private static ThrottleExpression parse(String attribute, String source, Method method, String[] names,
			String origin, Set<Problem> problems) {
		if (!StringUtils.hasText(source)) {
			return null;
		}
		try {
			return ThrottleExpression.parse(source, method.getParameterCount(), names);
		}
		catch (IllegalArgumentException ex) {
			problems
				.add(new Problem(origin, "has " + attribute + " expression '" + source + "' that " + ex.getMessage()));
			return null;
		}
	}

	private static void checkReturnType(Class<?> type, String origin, Set<Problem> problems) {
		boolean future = Future.class.isAssignableFrom(type) || CompletionStage.class.isAssignableFrom(type);
		if (future && !isCompletionStage(type)) {
			problems.add(new Problem(origin, "returns " + type.getName()
					+ ", which cannot be throttled; return CompletionStage or CompletableFuture"));
		}
	}

	/** Whether the return type is one the asynchronous path can produce. */
	static boolean isCompletionStage(Class<?> type) {
		return type == CompletionStage.class || type == CompletableFuture.class;
	}

	private static String parameterTypes(Method method) {
		return String.join(", ", Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toList());
	}

}
