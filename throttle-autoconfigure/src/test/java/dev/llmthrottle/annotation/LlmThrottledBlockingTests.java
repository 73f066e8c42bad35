package dev.llmthrottle.annotation;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.annotation.ThrottledServices.ChatService;
import dev.llmthrottle.annotation.ThrottledServices.OuterService;
import dev.llmthrottle.annotation.ThrottledServices.WholeClassService;
import dev.llmthrottle.autoconfigure.aop.AdmissionInterruptedException;
import dev.llmthrottle.core.VirtualTimeSource;
import dev.llmthrottle.core.admission.Partition;

import static dev.llmthrottle.annotation.ThrottledServices.partition;
import static dev.llmthrottle.annotation.ThrottledServices.snapshot;
import static dev.llmthrottle.annotation.ThrottledServices.used;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code @LlmThrottled} on blocking methods: callers are serialised by
 * {@code max-concurrent}, paced by the rate on virtual time, and release their permit on
 * every path.
 */
class LlmThrottledBlockingTests {

	@Test
	void maxConcurrentOneSerialisesCallers() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			Partition serial = partition(context, "serial");
			CountDownLatch firstEntered = new CountDownLatch(1);
			CountDownLatch firstLeave = new CountDownLatch(1);
			CountDownLatch secondEntered = new CountDownLatch(1);
			CountDownLatch secondLeave = new CountDownLatch(1);
			CompletableFuture<String> first = CompletableFuture
				.supplyAsync(() -> call(() -> service.hold(firstEntered, firstLeave)), this::thread);
			assertThat(firstEntered.await(5, TimeUnit.SECONDS)).isTrue();
			CompletableFuture<String> second = CompletableFuture
				.supplyAsync(() -> call(() -> service.hold(secondEntered, secondLeave)), this::thread);
			await().atMost(Duration.ofSeconds(5)).until(() -> serial.snapshot().queued() == 1);
			assertThat(secondEntered.getCount()).isOne();
			assertThat(serial.snapshot().inFlight()).isOne();
			firstLeave.countDown();
			assertThat(secondEntered.await(5, TimeUnit.SECONDS)).isTrue();
			secondLeave.countDown();
			assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("held");
			assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("held");
			assertThat(service.maxInside()).isOne();
			assertThat(serial.snapshot().inFlight()).isZero();
			assertThat(serial.snapshot().queued()).isZero();
		});
	}

	@Test
	void callWaitsUntilTheRateAllowsIt() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			VirtualTimeSource time = context.getBean(VirtualTimeSource.class);
			Partition paced = partition(context, "paced");
			assertThat(service.paced("first")).isEqualTo("first (admitted)");
			CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> service.paced("second"),
					this::thread);
			await().atMost(Duration.ofSeconds(5)).until(() -> paced.snapshot().queued() == 1);
			time.advance(Duration.ofMillis(900));
			assertThat(paced.snapshot().queued()).isOne();
			assertThat(second).isNotDone();
			time.advance(Duration.ofMillis(1100));
			assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("second (admitted)");
			assertThat(used(paced.snapshot())).isEqualTo(2);
			assertThat(paced.snapshot().inFlight()).isZero();
		});
	}

	@Test
	void exceptionIsRethrownUnchangedAfterRelease() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			assertThatThrownBy(service::throwing).isExactlyInstanceOf(IOException.class).hasMessage("disk on fire");
			assertThat(snapshot(context, "serial").inFlight()).isZero();
			assertThat(snapshot(context, "serial").repeatedReleases()).isZero();
		});
	}

	@Test
	void interruptedWaiterGetsAClearExceptionKeepsItsFlagAndTakesNothing() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			Partition paced = partition(context, "paced");
			service.paced("first");
			AtomicReference<Throwable> thrown = new AtomicReference<>();
			AtomicReference<Boolean> interruptFlag = new AtomicReference<>();
			Thread waiter = start(() -> {
				try {
					service.paced("second");
				}
				catch (RuntimeException ex) {
					thrown.set(ex);
					interruptFlag.set(Thread.currentThread().isInterrupted());
				}
			});
			await().atMost(Duration.ofSeconds(5)).until(() -> paced.snapshot().queued() == 1);
			waiter.interrupt();
			waiter.join(5000);
			assertThat(thrown.get()).isInstanceOf(AdmissionInterruptedException.class)
				.hasCauseInstanceOf(InterruptedException.class)
				.hasMessageContaining("paced");
			assertThat(interruptFlag.get()).isTrue();
			assertThat(paced.snapshot().queued()).isZero();
			assertThat(used(paced.snapshot())).isOne();
		});
	}

	@Test
	void nestedCallOnTheSamePartitionIsAdmittedOnce() {
		ThrottledServices.runner().run((context) -> {
			OuterService outer = context.getBean(OuterService.class);
			// with max-concurrent 1, a second admission inside the first would wait
			// forever
			CompletableFuture<String> result = CompletableFuture.supplyAsync(outer::outer, this::thread);
			assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("outer+nested");
			assertThat(snapshot(context, "serial").inFlight()).isZero();
		});
	}

	@Test
	void classLevelAnnotationThrottlesEveryPublicMethod() {
		ThrottledServices.runner().run((context) -> {
			WholeClassService service = context.getBean(WholeClassService.class);
			assertThat(service.admitted()).isTrue();
			assertThat(used(snapshot(context, "paced"))).isOne();
			assertThat(service.toString()).isNotEmpty();
			assertThat(used(snapshot(context, "paced"))).isOne();
		});
	}

	@Test
	void rejectionReachesTheCaller() {
		ThrottledServices.runner().run((context) -> {
			ChatService service = context.getBean(ChatService.class);
			assertThat(service.strictAsync().get()).isEqualTo("ok");
			assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
				.isThrownBy(() -> service.strictAsync().get())
				.withCauseInstanceOf(dev.llmthrottle.core.MaxWaitExceededException.class);
		});
	}

	private void thread(Runnable runnable) {
		Thread thread = new Thread(runnable, "throttled-caller");
		thread.setDaemon(true);
		thread.start();
	}

	private Thread start(ThrowingRunnable runnable) {
		Thread thread = new Thread(() -> {
			try {
				runnable.run();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}, "throttled-caller");
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	private static <T> T call(java.util.concurrent.Callable<T> callable) {
		try {
			return callable.call();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@FunctionalInterface
	interface ThrowingRunnable {

		void run() throws Exception;

	}

}
