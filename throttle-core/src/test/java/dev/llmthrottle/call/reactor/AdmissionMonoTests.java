package dev.llmthrottle.call.reactor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.subscriber.TestSubscriber;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.MaxWaitExceededException;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.Permit;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.leaks.PermitLeakAllowed;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AdmissionMono} never leaks a permit, whatever the order of grant, request and
 * cancel.
 */
class AdmissionMonoTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final VirtualTimeSource time = new VirtualTimeSource();

	/**
	 * 60 requests per minute, strictly paced: one per second (plus the engine's small
	 * guard).
	 */
	private final Partition partition = new ProviderThrottler(
			ThrottlePolicy.of("test", 0, Limit.perMinute(Dimension.REQUESTS, 60)).withMaxWait(Duration.ofHours(1)),
			this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE)
		.defaultPartition();

	/**
	 * Runs delivery tasks only when told to, so the test decides what happens in between.
	 */
	private final Queue<Runnable> deliveries = new ArrayDeque<>();

	private final Scheduler manual = Schedulers.fromExecutor(this.deliveries::add);

	private AdmissionMono admission() {
		return new AdmissionMono(() -> this.partition.acquireAsync(Cost.oneRequest()), this.manual);
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void immediateAdmissionIsDeliveredOnTheSubscribingThread() {
		StepVerifier.create(admission())
			.assertNext((permit) -> assertThat(permit.isReleased()).isFalse())
			.expectComplete()
			.verify(TIMEOUT);
		assertThat(this.partition.snapshot().inFlight()).isOne();
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void waitingAdmissionIsDeliveredOnTheSchedulerWhenGranted() {
		this.partition.tryAcquire(Cost.oneRequest()).release(null);
		TestSubscriber<Permit> subscriber = TestSubscriber.create();
		admission().subscribe(subscriber);
		assertThat(this.partition.snapshot().queued()).isOne();
		this.time.advance(Duration.ofSeconds(2));
		assertThat(subscriber.getReceivedOnNext()).isEmpty();
		runDeliveries();
		assertThat(subscriber.getReceivedOnNext()).hasSize(1);
		assertThat(subscriber.isTerminatedComplete()).isTrue();
	}

	@Test
	void cancelWhileWaitingWithdrawsTheWaiter() {
		this.partition.tryAcquire(Cost.oneRequest()).release(null);
		TestSubscriber<Permit> subscriber = TestSubscriber.create();
		admission().subscribe(subscriber);
		subscriber.cancel();
		runDeliveries();
		assertThat(this.partition.snapshot().queued()).isZero();
		this.time.advance(Duration.ofSeconds(2));
		runDeliveries();
		assertNothingTaken(1);
		assertThat(subscriber.getReceivedOnNext()).isEmpty();
	}

	@Test
	void permitGrantedThenCancelledBeforeDeliveryIsAbandoned() {
		this.partition.tryAcquire(Cost.oneRequest()).release(null);
		TestSubscriber<Permit> subscriber = TestSubscriber.create();
		admission().subscribe(subscriber);
		this.time.advance(Duration.ofSeconds(2)); // granted; delivery pending on the
													// scheduler
		assertThat(this.partition.snapshot().inFlight()).isOne();
		subscriber.cancel();
		runDeliveries();
		assertThat(subscriber.getReceivedOnNext()).isEmpty();
		assertNothingTaken(1);
	}

	@Test
	void permitReadyButNeverRequestedIsAbandonedOnCancel() {
		TestSubscriber<Permit> subscriber = TestSubscriber.builder().initialRequest(0).build();
		admission().subscribe(subscriber);
		assertThat(this.partition.snapshot().inFlight()).isOne();
		subscriber.cancel();
		assertThat(subscriber.getReceivedOnNext()).isEmpty();
		assertNothingTaken(0);
	}

	@Test
	@PermitLeakAllowed("holds permits or waiters to the end on purpose: it asserts the partition mid-flight")
	void permitReadyIsDeliveredOnRequest() {
		TestSubscriber<Permit> subscriber = TestSubscriber.builder().initialRequest(0).build();
		admission().subscribe(subscriber);
		assertThat(subscriber.getReceivedOnNext()).isEmpty();
		subscriber.request(1);
		assertThat(subscriber.getReceivedOnNext()).hasSize(1);
		assertThat(subscriber.isTerminatedComplete()).isTrue();
	}

	@Test
	void grantArrivingAfterCancelIsAbandoned() {
		// a future that was already being completed when the cancel came: cancel(false)
		// cannot stop it
		CompletableFuture<Permit> future = new CompletableFuture<>() {
			@Override
			public boolean cancel(boolean mayInterruptIfRunning) {
				return false;
			}
		};
		TestSubscriber<Permit> subscriber = TestSubscriber.create();
		new AdmissionMono(() -> future, this.manual).subscribe(subscriber);
		subscriber.cancel();
		Permit permit = this.partition.tryAcquire(Cost.oneRequest());
		future.complete(permit);
		runDeliveries();
		assertThat(subscriber.getReceivedOnNext()).isEmpty();
		assertThat(permit.isReleased()).isTrue();
		assertNothingTaken(0);
	}

	@Test
	void rejectionIsSignalledAsAnError() {
		Partition strict = new ProviderThrottler(
				ThrottlePolicy.of("strict", 0, Limit.perMinute(Dimension.REQUESTS, 1)).withMaxWait(Duration.ZERO),
				this.time, PartitionKeys.withRandomSecret(), ThrottleListener.NONE)
			.defaultPartition();
		strict.tryAcquire(Cost.oneRequest()).release(null);
		StepVerifier.create(new AdmissionMono(() -> strict.acquireAsync(Cost.oneRequest()), this.manual))
			.expectError(MaxWaitExceededException.class)
			.verify(TIMEOUT);
	}

	@Test
	void failureToStartTheAdmissionIsSignalledAsAnError() {
		IllegalStateException failure = new IllegalStateException("no partition");
		StepVerifier.create(new AdmissionMono(() -> {
			throw failure;
		}, this.manual)).expectErrorSatisfies((ex) -> assertThat(ex).isSameAs(failure)).verify(TIMEOUT);
	}

	private void runDeliveries() {
		Runnable task;
		while ((task = this.deliveries.poll()) != null) {
			task.run();
		}
	}

	/**
	 * Only the {@code kept} requests admitted outside the adapter remain counted; nothing
	 * is in flight.
	 */
	private void assertNothingTaken(long kept) {
		assertThat(this.partition.snapshot().inFlight()).isZero();
		assertThat(this.partition.snapshot().queued()).isZero();
		assertThat(this.partition.snapshot().limits().get(0).used()).isEqualTo(kept);
		assertThat(this.partition.snapshot().repeatedReleases()).isZero();
	}

}
