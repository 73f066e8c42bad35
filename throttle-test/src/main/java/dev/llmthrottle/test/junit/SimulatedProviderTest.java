package dev.llmthrottle.test.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts a fresh {@link dev.llmthrottle.test.SimulatedProvider} before each test and
 * stops it after; declare a {@code SimulatedProvider} parameter to receive it. Configured
 * with the standalone flags:
 *
 * <pre>{@code
 * &#64;SimulatedProviderTest({"--model=quantized", "--limit=requests:50/10s", "--latency=20ms"})
 * void naiveClientIsRefused(SimulatedProvider provider) { ... }
 * }</pre>
 *
 * On a class, it applies to every test method that has no annotation of its own.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SimulatedProviderExtension.class)
public @interface SimulatedProviderTest {

	/**
	 * Standalone flags, e.g. {@code --dialect=anthropic},
	 * {@code --limit=tokens:20000/10s}, {@code --seed=7}.
	 */
	String[] value() default {};

}
