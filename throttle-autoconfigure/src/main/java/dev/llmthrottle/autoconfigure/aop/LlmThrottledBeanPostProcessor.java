package dev.llmthrottle.autoconfigure.aop;

import java.util.Set;

import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.util.ClassUtils;

import dev.llmthrottle.annotation.LlmThrottled;
import dev.llmthrottle.autoconfigure.ProviderDefinitions;
import dev.llmthrottle.core.TimeSource;
import dev.llmthrottle.core.admission.CurrentAdmission;
import dev.llmthrottle.core.admission.LlmThrottlers;
import dev.llmthrottle.exchange.LlmProviders;
import dev.llmthrottle.exchange.ResponseFeedback;

/**
 * Applies {@link LlmThrottled} to beans: proxies every bean with an annotated method (or
 * class) with an advisor around {@link LlmThrottledInterceptor}, as Spring's own
 * {@code ConcurrencyLimitBeanPostProcessor} does for {@code @ConcurrencyLimit}. Before
 * proxying, it resolves each annotated method (the provider must exist, the expressions
 * must parse and refer only to arguments), so a mistake fails startup naming the bean and
 * method instead of the first call.
 *
 * <p>
 * Its collaborators are looked up lazily, so that being a post-processor does not
 * instantiate the throttlers before the beans they depend on. Without the
 * {@link LlmProviders} and {@link ResponseFeedback} beans, methods are still admitted but
 * failures are passed on without being learnt from or retried.
 */
@SuppressWarnings("serial")
public class LlmThrottledBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

	private final transient ThrottledOperationSource operations;

	public LlmThrottledBeanPostProcessor(ObjectProvider<LlmThrottlers> throttlers,
			ObjectProvider<ProviderDefinitions> definitions, ObjectProvider<CurrentAdmission> currentAdmission,
			ObjectProvider<TimeSource> time, ObjectProvider<LlmProviders> providers,
			ObjectProvider<ResponseFeedback> feedback) {
		this.operations = new ThrottledOperationSource(throttlers::getObject, definitions::getIfAvailable);
		setBeforeExistingAdvisors(true);
		ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(LlmThrottled.class, true))
			.union(new AnnotationMatchingPointcut(null, LlmThrottled.class, true));
		ClassLoader classLoader = LlmThrottledBeanPostProcessor.class.getClassLoader();
		FailedAttempts failures = new FailedAttempts(providers::getIfAvailable, feedback::getIfAvailable,
				FailedResponses.forClassPath(classLoader), ReturnedUsages.forClassPath(classLoader));
		this.advisor = new DefaultPointcutAdvisor(pointcut,
				new LlmThrottledInterceptor(this.operations, currentAdmission::getObject, time::getObject, failures));
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		super.setBeanFactory(beanFactory);
		if (beanFactory instanceof ConfigurableBeanFactory configurable) {
			// @LlmThrottled(provider = "${...}"), resolved as @ConcurrencyLimit resolves
			// its limit
			this.operations.resolvePlaceholdersWith(new EmbeddedValueResolver(configurable)::resolveStringValue);
		}
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!(bean instanceof AopInfrastructureBean) && isEligible(bean, beanName)) {
			this.operations.validate(ClassUtils.getUserClass(AopUtils.getTargetClass(bean)), beanName);
		}
		return super.postProcessAfterInitialization(bean, beanName);
	}

	/** The providers named by the annotated methods of the beans processed so far. */
	Set<String> throttledProviders() {
		return this.operations.providers();
	}

}
