package dev.llmthrottle.annotation;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import dev.llmthrottle.annotation.ThrottledServices.ChatService;
import dev.llmthrottle.core.MaxWaitExceededException;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;

import static dev.llmthrottle.annotation.ThrottledServices.BOOM;
import static dev.llmthrottle.annotation.ThrottledServices.partition;
import static dev.llmthrottle.annotation.ThrottledServices.used;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @LlmThrottled} on {@code Mono} and {@code Flux} methods, driven by the virtual
 * clock: subscriptions wait without blocking, cancellation gives nothing away, and the
 * permit is released on every path.
 */
class LlmThrottledReactiveTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	@Test
	void monoIsDelayedUntilTheRateAllowsIt() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition paced = partition(context, "paced");
			StepVerifier.create(service.mono("first")).expectNext("first").expectComplete().verify(TIMEOUT);
			StepVerifier.create(service.mono("second"))
				.expectSubscription()
				.then(() -> assertThat(paced.snapshot().queued()).isOne())
				.then(() -> time.advance(Duration.ofMillis(900)))
				.then(() -> assertThat(paced.snapshot().queued()).isOne())
				.then(() -> time.advance(Duration.ofMillis(1100)))
				.expectNext("second")
				.expectComplete()
				.verify(TIMEOUT);
			assertThat(paced.snapshot().inFlight()).isZero();
			assertThat(used(paced.snapshot())).isEqualTo(2);
		});
	}

	@Test
	void eachSubscriptionIsAdmittedOnItsOwn() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			Partition paced = partition(context, "paced");
			var mono = service.mono("again");
			StepVerifier.create(mono).expectNext("again").expectComplete().verify(TIMEOUT);
			StepVerifier.create(mono)
				.expectSubscription()
				.then(() -> assertThat(paced.snapshot().queued()).isOne())
				.thenCancel()
				.verify(TIMEOUT);
			assertThat(used(paced.snapshot())).isOne();
		});
	}

	@Test
	void cancellationWhileWaitingGivesNothingAway() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition paced = partition(context, "paced");
			service.mono("first").block(TIMEOUT);
			StepVerifier.create(service.mono("cancelled"))
				.expectSubscription()
				.then(() -> assertThat(paced.snapshot().queued()).isOne())
				.thenCancel()
				.verify(TIMEOUT);
			assertThat(paced.snapshot().queued()).isZero();
			assertThat(paced.snapshot().inFlight()).isZero();
			assertThat(used(paced.snapshot())).isOne();
			time.advance(Duration.ofSeconds(2));
			assertThat(used(paced.snapshot())).isOne();
			// the slot the cancelled caller would have had is free for the next one
			StepVerifier.create(service.mono("next")).expectNext("next").expectComplete().verify(TIMEOUT);
			assertThat(paced.snapshot().repeatedReleases()).isZero();
		});
	}

	@Test
	void cancellationWhileHoldingReleases() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			Partition paced = partition(context, "paced");
			StepVerifier.create(service.never())
				.expectSubscription()
				.then(() -> assertThat(paced.snapshot().inFlight()).isOne())
				.thenCancel()
				.verify(TIMEOUT);
			assertThat(paced.snapshot().inFlight()).isZero();
			// it may have been sent: the estimate stands
			assertThat(used(paced.snapshot())).isOne();
		});
	}

	@Test
	void errorsReleaseAndPropagateUnchanged() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition paced = partition(context, "paced");
			StepVerifier.create(service.failing())
				.expectErrorSatisfies((ex) -> assertThat(ex).isSameAs(BOOM))
				.verify(TIMEOUT);
			assertThat(paced.snapshot().inFlight()).isZero();
			time.advance(Duration.ofSeconds(2));
			StepVerifier.create(service.failingOnAssembly())
				.expectErrorSatisfies((ex) -> assertThat(ex).isSameAs(BOOM))
				.verify(TIMEOUT);
			assertThat(paced.snapshot().inFlight()).isZero();
			assertThat(paced.snapshot().repeatedReleases()).isZero();
		});
	}

	@Test
	void rejectionIsAnErrorSignal() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			StepVerifier.create(service.strictMono()).expectNext("ok").expectComplete().verify(TIMEOUT);
			StepVerifier.create(service.strictMono()).expectError(MaxWaitExceededException.class).verify(TIMEOUT);
			assertThat(partition(context, "strict").snapshot().queued()).isZero();
		});
	}

	@Test
	void permitIsInTheReactorContext() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			StepVerifier.create(service.seesPermitInContext()).expectNext(true).expectComplete().verify(TIMEOUT);
		});
	}

	@Test
	void fluxHoldsItsPermitUntilItCompletes() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			Partition serial = partition(context, "serial");
			Sinks.Many<Integer> first = Sinks.many().unicast().onBackpressureBuffer();
			Sinks.Many<Integer> second = Sinks.many().unicast().onBackpressureBuffer();
			StepVerifier.create(service.stream(first.asFlux()))
				.expectSubscription()
				.then(() -> first.tryEmitNext(1))
				.expectNext(1)
				.then(() -> assertThat(serial.snapshot().inFlight()).isOne())
				.then(() -> first.tryEmitNext(2))
				.expectNext(2)
				.then(() -> assertThat(serial.snapshot().inFlight()).isOne())
				.then(first::tryEmitComplete)
				.expectComplete()
				.verify(TIMEOUT);
			assertThat(serial.snapshot().inFlight()).isZero();
			StepVerifier.create(service.stream(second.asFlux()))
				.expectSubscription()
				.then(() -> second.tryEmitNext(3))
				.expectNext(3)
				.then(() -> assertThat(serial.snapshot().inFlight()).isOne())
				.thenCancel()
				.verify(TIMEOUT);
			assertThat(serial.snapshot().inFlight()).isZero();
		});
	}

	@Test
	void secondFluxWaitsForTheFirstToFinish() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			Partition serial = partition(context, "serial");
			Sinks.Many<Integer> first = Sinks.many().unicast().onBackpressureBuffer();
			first.tryEmitNext(1);
			var running = StepVerifier.create(service.stream(first.asFlux()))
				.expectNext(1)
				.expectComplete()
				.verifyLater();
			await(() -> serial.snapshot().inFlight() == 1);
			StepVerifier.create(service.stream(Flux.just(2)))
				.expectSubscription()
				.then(() -> assertThat(serial.snapshot().queued()).isOne())
				.then(first::tryEmitComplete)
				.expectNext(2)
				.expectComplete()
				.verify(TIMEOUT);
			running.verify(TIMEOUT);
			assertThat(serial.snapshot().inFlight()).isZero();
		});
	}

	private static void await(java.util.concurrent.Callable<Boolean> condition) {
		org.awaitility.Awaitility.await().atMost(TIMEOUT).until(condition);
	}

}
