package dev.llmthrottle.call;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

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
 * {@link AsyncCall} against cancellation races: a result that arrives after the caller
 * cancelled is freed and its lease closed exactly once.
 */
class AsyncCallTests {

	private final VirtualTimeSource time = new VirtualTimeSource();

	private final AtomicInteger releases = new AtomicInteger();

	private final Partition partition = new ProviderThrottler(
			ThrottlePolicy.of("async", 4, Limit.perMinute(Dimension.REQUESTS, 600)), this.time,
			PartitionKeys.withRandomSecret(), new ThrottleListener() {

				@Override
				public void released(String provider, String partition, Cost estimate, Cost actual, boolean sent) {
					AsyncCallTests.this.releases.incrementAndGet();
				}

			})
		.defaultPartition();

	@Test
	void successDeliveredAfterCancellationIsClosedAndItsLeaseSettledOnce() {
		Shape shape = new Shape();
		CompletableFuture<Response> transport = uncancellable();
		CompletableFuture<Response> call = AsyncCall.run(pipeline(shape), (lease) -> transport, Runnable::run);
		assertThat(this.partition.snapshot().inFlight()).isOne();
		call.cancel(true);
		Response late = new Response(200);
		transport.complete(late);
		assertThat(call).isCancelled();
		assertThat(shape.delivered).as("handed over by the pipeline").isNotNull();
		assertThat(shape.delivered.closed).as("nobody else will close it").isEqualTo(1);
		assertThat(shape.lease.outcome()).as("settled when its body was closed").isEqualTo(Lease.Outcome.SETTLED);
		assertThat(this.partition.snapshot().inFlight()).isZero();
		assertThat(this.releases.get()).as("released exactly once").isOne();
	}

	@Test
	void valueWithoutBodyDeliveredAfterCancellationStillClosesItsLease() {
		Shape shape = new Shape();
		shape.settleOnClose = false; // a value whose freeing does not touch the lease
		CompletableFuture<Response> transport = uncancellable();
		CompletableFuture<Response> call = AsyncCall.run(pipeline(shape), (lease) -> transport, Runnable::run);
		call.cancel(false);
		transport.complete(new Response(200));
		assertThat(shape.delivered.closed).isEqualTo(1);
		assertThat(shape.lease.outcome()).isEqualTo(Lease.Outcome.FAILED_AFTER_SEND);
		assertThat(this.partition.snapshot().inFlight()).isZero();
		assertThat(this.releases.get()).isOne();
	}

	@Test
	void successNotCancelledIsHandedOverOpen() throws Exception {
		Shape shape = new Shape();
		CompletableFuture<Response> transport = new CompletableFuture<>();
		CompletableFuture<Response> call = AsyncCall.run(pipeline(shape), (lease) -> transport, Runnable::run);
		transport.complete(new Response(200));
		Response got = call.get();
		assertThat(got.closed).as("the caller's to close").isZero();
		assertThat(this.partition.snapshot().inFlight()).isOne();
		got.close();
		assertThat(this.partition.snapshot().inFlight()).isZero();
		assertThat(this.releases.get()).isOne();
	}

	private CallPipeline<Response> pipeline(Shape shape) {
		return new CallPipeline<>(null, this.time, null, this.partition, Cost.oneRequest(), null, shape);
	}

	/** A transport that cannot be stopped any more once it has sent. */
	private static CompletableFuture<Response> uncancellable() {
		return new CompletableFuture<>() {

			@Override
			public boolean cancel(boolean mayInterruptIfRunning) {
				return false;
			}

		};
	}

	/** A response holding a resource; closing it runs {@code onClose}. */
	static final class Response {

		final int status;

		int closed;

		Runnable onClose = () -> {
		};

		Response(int status) {
			this.status = status;
		}

		void close() {
			this.closed++;
			this.onClose.run();
		}

	}

	private static final class Shape implements CallShape<Response> {

		boolean settleOnClose = true;

		Response delivered;

		Lease lease;

		@Override
		public Reply reply(Response result) {
			return new Reply(result.status, ProtocolHeaders.of(java.util.Map.of()), "");
		}

		@Override
		public Response deliver(Response result, Lease lease) {
			Response handed = new Response(result.status);
			if (this.settleOnClose) {
				handed.onClose = () -> lease.settled(null);
			}
			this.delivered = handed;
			this.lease = lease;
			return handed;
		}

		@Override
		public void discard(Response result) {
			result.close();
		}

		@Override
		public Throwable interrupted(InterruptedException ex, boolean waitingToRetry) {
			return ex;
		}

	}

}
