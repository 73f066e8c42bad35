package dev.llmthrottle.autoconfigure;

import java.beans.PropertyDescriptor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.util.ClassUtils;

import dev.llmthrottle.autoconfigure.InvalidThrottleConfigurationException.Problem;
import dev.llmthrottle.autoconfigure.redis.RedisThrottleProperties;

/**
 * Finds typos under {@code llm.throttle}: every property set there must name a property
 * of {@link LlmThrottleProperties} or {@link RedisThrottleProperties}, otherwise startup
 * fails with the key and the nearest valid one
 * ({@code llm.throttle.providers.openai-sim.requests-per-minut}: did you mean
 * {@code ...requests-per-minute}?). Spring Boot ignores unknown keys, so a misspelt limit
 * would otherwise leave a provider with fewer limits than the user wrote. Also rejects
 * {@code llm.throttle.redis.threads} below 1, with the other problems. Environment
 * variables are not checked: their relaxed names cannot be told apart reliably.
 *
 * <p>
 * The valid names are derived once from the properties classes (JavaBean getters, in
 * dashed form; a map's keys and a list's indexes match anything), so a new property is
 * known as soon as it is added. A new {@code @ConfigurationProperties} class under
 * {@code llm.throttle} must be added to {@link #ROOTS}.
 */
final class ThrottlePropertyNames {

	static final String PREFIX = "llm.throttle";

	private static final Map<String, Class<?>> ROOTS = Map.of(PREFIX, LlmThrottleProperties.class, PREFIX + ".redis",
			RedisThrottleProperties.class);

	/** Matches any one element: a map key or a list index. */
	private static final String ANY = "*";

	private static final ConfigurationPropertyName PREFIX_NAME = ConfigurationPropertyName.of(PREFIX);

	private static final int MAX_DEPTH = 8;

	/**
	 * Whether the Redis backend's module (llm-throttle-redis), whose types the Redis
	 * properties use, is present.
	 */
	private static final boolean REDIS_MODULE_PRESENT = ClassUtils.isPresent("dev.llmthrottle.core.redis.RedisBackend",
			ThrottlePropertyNames.class.getClassLoader());

	/**
	 * Every valid name, as uniform elements with {@link #ANY} for map keys and indexes.
	 */
	private final List<List<String>> templates;

	/**
	 * The same names in their documented dashed form, aligned with {@link #templates}.
	 */
	private final List<List<String>> dashed;

	ThrottlePropertyNames() {
		this.templates = new ArrayList<>();
		this.dashed = new ArrayList<>();
		ROOTS.forEach((prefix, type) -> {
			List<String> path = new ArrayList<>(List.of(prefix.split("\\.")));
			if (type == RedisThrottleProperties.class && !REDIS_MODULE_PRESENT) {
				// the types of its properties are in llm-throttle-redis: accept anything
				// under its prefix, a provider
				// with backend: redis fails startup naming the module
				path.addAll(Collections.nCopies(MAX_DEPTH + 2, ANY));
				this.templates.add(path);
				return;
			}
			collect(ResolvableType.forClass(type), path, 0);
		});
	}

	/**
	 * Every problem with the {@code llm.throttle} keys of an environment: unknown keys,
	 * each with the nearest valid one, and {@code redis.threads} below 1.
	 * @param environment the environment
	 * @return the problems, in name order, possibly empty
	 */
	List<Problem> check(Environment environment) {
		Set<String> unknown = new TreeSet<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource
					|| !(source instanceof IterableConfigurationPropertySource iterable)) {
				continue;
			}
			iterable.filter(PREFIX_NAME::isAncestorOf).stream().filter((name) -> !known(name)).forEach((name) -> {
				unknown.add(name.toString());
			});
		}
		List<Problem> problems = new ArrayList<>();
		for (String name : unknown) {
			problems.add(new Problem(name, "is not a known property; did you mean " + nearest(name) + "?"));
		}
		threads(environment, problems);
		return problems;
	}

	/**
	 * Whether {@code name} is a valid property, or a prefix of one (a value set on a
	 * group is harmless).
	 */
	boolean known(ConfigurationPropertyName name) {
		for (List<String> template : this.templates) {
			if (name.getNumberOfElements() <= template.size() && matches(name, template)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The valid name closest to {@code name}, with its map keys and indexes filled in
	 * from {@code name}.
	 */
	String nearest(String name) {
		ConfigurationPropertyName parsed = ConfigurationPropertyName.adapt(name, '.');
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		for (List<String> template : this.dashed) {
			String candidate = instantiate(template, parsed);
			int distance = distance(name.toLowerCase(Locale.ROOT), candidate);
			if (distance < bestDistance) {
				best = candidate;
				bestDistance = distance;
			}
		}
		return best;
	}

	private static boolean matches(ConfigurationPropertyName name, List<String> template) {
		for (int i = 0; i < name.getNumberOfElements(); i++) {
			String expected = template.get(i);
			if (!expected.equals(ANY) && !expected.equals(name.getElement(i, Form.UNIFORM))) {
				return false;
			}
		}
		return true;
	}

	private static String instantiate(List<String> template, ConfigurationPropertyName name) {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < template.size(); i++) {
			String element = template.get(i);
			boolean index = element.startsWith("[");
			if (element.equals(ANY) || element.equals("[" + ANY + "]")) {
				String actual = (i < name.getNumberOfElements()) ? name.getElement(i, Form.ORIGINAL) : "<name>";
				element = index ? "[" + (name.isNumericIndex(i) ? actual : "0") + "]" : actual;
			}
			if (i > 0 && !index) {
				text.append('.');
			}
			text.append(element);
		}
		return text.toString();
	}

	private void collect(ResolvableType type, List<String> path, int depth) {
		if (depth > MAX_DEPTH) {
			return;
		}
		for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(type.toClass())) {
			Method getter = property.getReadMethod();
			if (getter == null || getter.getDeclaringClass() == Object.class) {
				continue;
			}
			List<String> child = new ArrayList<>(path);
			child.add(DataObjectPropertyName.toDashedForm(property.getName()));
			walk(ResolvableType.forMethodReturnType(getter, type.toClass()), child, depth);
		}
	}

	private void walk(ResolvableType type, List<String> path, int depth) {
		Class<?> raw = type.toClass();
		if (Map.class.isAssignableFrom(raw)) {
			add(path);
			List<String> entry = new ArrayList<>(path);
			entry.add(ANY);
			walk(type.asMap().getGeneric(1), entry, depth + 1);
		}
		else if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
			add(path);
			List<String> element = new ArrayList<>(path);
			element.add("[" + ANY + "]");
			walk(raw.isArray() ? type.getComponentType() : type.asCollection().getGeneric(0), element, depth + 1);
		}
		else if (isGroup(raw)) {
			collect(type, path, depth + 1);
		}
		else {
			add(path);
		}
	}

	/**
	 * A nested properties object of ours (not a value such as an enum, a record or a
	 * {@code String}).
	 */
	private static boolean isGroup(Class<?> type) {
		return type.getName().startsWith("dev.llmthrottle.autoconfigure.") && !type.isEnum() && !type.isRecord()
				&& !type.isInterface();
	}

	private void add(List<String> path) {
		List<String> uniform = new ArrayList<>();
		for (String element : path) {
			uniform.add(element.equals(ANY) || element.startsWith("[") ? ANY : element.replace("-", ""));
		}
		this.templates.add(uniform);
		this.dashed.add(List.copyOf(path));
	}

	private static void threads(Environment environment, List<Problem> problems) {
		String name = PREFIX + ".redis.threads";
		try {
			Integer threads = Binder.get(environment).bind(name, Integer.class).orElse(null);
			if (threads != null && threads < 1) {
				problems.add(new Problem(name, "must be at least 1 but was " + threads));
			}
		}
		catch (BindException ex) {
			// not a number: Spring Boot's own binding of the Redis properties reports it
		}
	}

	/** Levenshtein distance. */
	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

}
