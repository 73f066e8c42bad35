package dev.llmthrottle.bench.overhead;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.aop.support.AopUtils;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

import dev.llmthrottle.autoconfigure.LlmThrottleAutoConfiguration;
import dev.llmthrottle.autoconfigure.ThrottleSupportAutoConfiguration;
import dev.llmthrottle.autoconfigure.aop.LlmThrottledAutoConfiguration;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.core.admission.Partition;

/**
 * A minimal application context holding our auto-configurations, one provider configured
 * through {@code llm.throttle.providers.bench.*} as a user would, and a
 * {@link ThrottledService} proxied by the {@code @LlmThrottled} advisor.
 */
final class ProxyFixture implements AutoCloseable {

	static final String PROVIDER = "bench";

	private final AnnotationConfigApplicationContext context;

	private ProxyFixture(AnnotationConfigApplicationContext context) {
		this.context = context;
	}

	/** Starts a context whose provider has these limits and this concurrency cap. */
	static ProxyFixture start(List<Limit> limits, int maxConcurrent) {
		String prefix = "llm.throttle.providers." + PROVIDER + ".";
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put(prefix + "max-concurrent", maxConcurrent);
		for (int i = 0; i < limits.size(); i++) {
			Limit limit = limits.get(i);
			properties.put(prefix + "limits[" + i + "].dimension", limit.dimension().id());
			properties.put(prefix + "limits[" + i + "].amount", limit.amount());
			properties.put(prefix + "limits[" + i + "].period", limit.period().toMillis() + "ms");
		}
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("bench", properties));
		context.register(ThrottleSupportAutoConfiguration.class, LlmThrottleAutoConfiguration.class,
				LlmThrottledAutoConfiguration.class);
		context.registerBean(ThrottledService.class);
		context.refresh();
		return new ProxyFixture(context);
	}

	/** The proxied service. */
	ThrottledService service() {
		ThrottledService service = this.context.getBean(ThrottledService.class);
		if (!AopUtils.isAopProxy(service)) {
			throw new IllegalStateException("the @LlmThrottled advisor did not proxy the service");
		}
		return service;
	}

	/** The provider's default partition, where the service's calls are admitted. */
	Partition partition() {
		return this.context.getBean(LlmThrottlers.class).get(PROVIDER).defaultPartition();
	}

	/** Checks that every permit came back exactly once, then closes the context. */
	@Override
	public void close() {
		try {
			if (partition().snapshot().inFlight() != 0 || partition().snapshot().repeatedReleases() != 0) {
				throw new IllegalStateException("permits leaked or released twice: " + partition().snapshot());
			}
		}
		finally {
			this.context.close();
		}
	}

}
