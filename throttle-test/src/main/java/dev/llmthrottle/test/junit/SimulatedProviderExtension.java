package dev.llmthrottle.test.junit;

import dev.llmthrottle.test.ProviderSettings;
import dev.llmthrottle.test.SimulatedProvider;
import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Starts and stops {@link SimulatedProvider}s around tests and injects them as
 * parameters.
 *
 * <p>
 * Programmatic use, with a builder: <pre>{@code
 * &#64;RegisterExtension
 * static SimulatedProviderExtension provider = SimulatedProviderExtension.of(
 *         SimulatedProvider.builder().model(EnforcementModel.TOKEN_BUCKET).limit("requests:50/10s"));
 *
 *

&#64;Test
 * void test() { client.call(provider.get().baseUrl()); }
 * }</pre> In a {@code static} field the provider is started once for the class and
 * {@linkplain SimulatedProvider#reset() reset} before each test (unless
 * {@link #withoutResetBeforeEach()}); in an instance field one is started per test.
 * Declarative use: {@link SimulatedProviderTest}. Either way a test method (or
 * {@code @BeforeEach}) may declare a {@code SimulatedProvider} parameter, unless several
 * of these extensions are registered (then the parameter is ambiguous: use
 * {@link #get()}).
 */
public final class SimulatedProviderExtension
		implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(SimulatedProviderExtension.class);

	private static final String KEY = "provider";

	private final SimulatedProvider.Builder builder;

	private final boolean resetBeforeEach;

	private SimulatedProvider classScoped;

	private String classScopeId;

	private SimulatedProvider methodScoped;

	/** The declarative form, used through {@link SimulatedProviderTest}. */
	public SimulatedProviderExtension() {
		this(null, true);
	}

	private SimulatedProviderExtension(SimulatedProvider.Builder builder, boolean resetBeforeEach) {
		this.builder = builder;
		this.resetBeforeEach = resetBeforeEach;
	}

	/** The programmatic form: providers are started from this builder. */
	public static SimulatedProviderExtension of(SimulatedProvider.Builder builder) {
		return new SimulatedProviderExtension(builder, true);
	}

	/**
	 * The same, but a class-wide provider keeps its state and evidence from one test to
	 * the next.
	 */
	public SimulatedProviderExtension withoutResetBeforeEach() {
		return new SimulatedProviderExtension(builder, false);
	}

	/**
	 * The provider of the running test (programmatic form).
	 * @throws IllegalStateException outside a test
	 */
	public SimulatedProvider get() {
		SimulatedProvider provider = methodScoped != null ? methodScoped : classScoped;
		if (provider == null) {
			throw new IllegalStateException("No simulated provider is running (used outside a test?)");
		}
		return provider;
	}

	/** Shortcut for {@code get().baseUrl()}. */
	public String baseUrl() {
		return get().baseUrl();
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		if (builder != null && classScoped == null) {
			classScoped = builder.start();
			classScopeId = context.getUniqueId(); // nested classes see beforeAll/afterAll
													// again: only the owner stops it
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		if (builder != null) {
			if (classScoped != null) {
				if (resetBeforeEach) {
					classScoped.reset();
				}
			}
			else {
				methodScoped = builder.start();
			}
			return;
		}
		SimulatedProviderTest annotation = findAnnotation(context).orElseThrow(() -> new IllegalStateException(
				"SimulatedProviderExtension without a builder needs @SimulatedProviderTest"));
		SimulatedProvider provider = SimulatedProvider.start(ProviderSettings.fromFlags(annotation.value()));
		context.getStore(NAMESPACE).put(KEY, provider);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		if (builder != null) {
			if (methodScoped != null) {
				methodScoped.close();
				methodScoped = null;
			}
			return;
		}
		SimulatedProvider provider = context.getStore(NAMESPACE).remove(KEY, SimulatedProvider.class);
		if (provider != null) {
			provider.close();
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (classScoped != null && context.getUniqueId().equals(classScopeId)) {
			classScoped.close();
			classScoped = null;
			classScopeId = null;
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == SimulatedProvider.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		if (builder != null) {
			try {
				return get();
			}
			catch (IllegalStateException e) {
				throw new ParameterResolutionException(e.getMessage(), e);
			}
		}
		SimulatedProvider provider = extensionContext.getStore(NAMESPACE).get(KEY, SimulatedProvider.class);
		if (provider == null) {
			throw new ParameterResolutionException(
					"A SimulatedProvider is only available to test methods and @BeforeEach/@AfterEach methods");
		}
		return provider;
	}

	/** The annotation on the test method, else on its class or an enclosing class. */
	private static Optional<SimulatedProviderTest> findAnnotation(ExtensionContext context) {
		for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
			Optional<AnnotatedElement> element = c.get().getElement();
			if (element.isPresent()) {
				Optional<SimulatedProviderTest> found = AnnotationSupport.findAnnotation(element.get(),
						SimulatedProviderTest.class);
				if (found.isPresent()) {
					return found;
				}
			}
		}
		return Optional.empty();
	}

}
