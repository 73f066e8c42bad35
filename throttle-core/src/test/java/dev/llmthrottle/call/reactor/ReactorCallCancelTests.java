package dev.llmthrottle.call.reactor;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.llmthrottle.call.CallPipeline;
import dev.llmthrottle.call.CallShape;
import dev.llmthrottle.call.Lease;
import dev.llmthrottle.call.Reply;
import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;
import dev.llmthrottle.core.admission.PartitionKeys;
import dev.llmthrottle.core.admission.ProviderThrottler;
import dev.llmthrottle.core.admission.ThrottleListener;
import dev.llmthrottle.core.admission.ThrottlePolicy;
import dev.llmthrottle.protocol.ProtocolHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ReactorCall#mono} cancelled as the response arrives: a sender that emits after
 * the cancellation (reactive streams allow it) must not leave the response open, and the
 * lease is closed exactly once.
 */
class ReactorCallCancelTests {

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final AtomicInteger releases = new AtomicInteger();

	private final Partition partition = new ProviderThrottler(
			ThrottlePolicy.of("mono", 4, Limit.perMinute(Dimension.REQUESTS, 600)), this.time,
			PartitionKeys.withRandomSecret(), new ThrottleListener() {

				@Override
				public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
					ReactorCallCancelTests.this.releases.incrementAndGet();
				}

			})
		.defaultPartition();

	@Test
	void responseEmittedAfterCancellationIsClosedAndReleasedOnce() {
		Shape shape = new Shape();
		AtomicReference<Subscriber<? super Body>> late = new AtomicReference<>();
		Mono<Body> sent = Mono.fromDirect((subscriber) -> {
			late.set(subscriber);
			subscriber.onSubscribe(new Subscription() {

				@Override
				public void request(long n) {
				}

				@Override
				public void cancel() {
					// too late to stop: the response is on its way
				}

			});
		});
		Disposable subscription = ReactorCall
			.mono(new CallPipeline<>(null, this.time, null, this.partition, Cost.oneRequest(), null, shape),
					(lease) -> sent, Schedulers.immediate())
			.subscribe();
		assertThat(this.partition.snapshot().inFlight()).isOne();
		subscription.dispose();
		late.get().onNext(new Body());
		late.get().onComplete();
		assertThat(shape.delivered).as("handed over by the pipeline").isNotNull();
		assertThat(shape.delivered.closed).as("nobody else will close it").isOne();
		assertThat(this.partition.snapshot().inFlight()).isZero();
		assertThat(this.releases.get()).as("released exactly once").isOne();
	}

	static final class Body {

		int closed;

	}

	private static final class Shape implements CallShape<Body> {

		Body delivered;

		@Override
		public Reply reply(Body result) {
			return new Reply(200, ProtocolHeaders.of(Map.of()), "");
		}

		@Override
		public Body deliver(Body result, Lease lease) {
			this.delivered = new Body();
			return this.delivered;
		}

		@Override
		public void discard(Body result) {
			result.closed++;
		}

		@Override
		public Throwable interrupted(InterruptedException ex, boolean waitingToRetry) {
			return ex;
		}

	}

}
