package dev.llmthrottle.test.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test only when a Redis server answers on {@code 127.0.0.1:6379} ({@code .ci/run}
 * starts one). Without it the test is skipped with a clear message, except in CI
 * ({@code CI=true}), where it fails.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresRedisCondition.class)
public @interface RequiresRedis {

}
