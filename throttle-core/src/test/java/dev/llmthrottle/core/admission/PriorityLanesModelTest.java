package dev.llmthrottle.core.admission;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.llmthrottle.core.Cost;
import dev.llmthrottle.core.Priority;
import dev.llmthrottle.core.VirtualTimeSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random arrivals in every lane, releases, cancellations, expiries at max-wait and
 * changes of the minimum share on a partition capped by concurrency, checked after every
 * step against a reference model of the lane scheduler written from its specification
 * (exact decimal credits, plain lists): the same callers are admitted in the same order,
 * the same ones queued, and at the end nothing is held or queued. Each seed is
 * reproducible; a failure names it.
 */
class PriorityLanesModelTest {

	private static final int SEEDS = 500;

	private static final int STEPS = 300;

	private static final Duration MAX_WAIT = Duration.ofSeconds(10);

	private static final double[] SHARES = { 0, 0.1, 0.25, 1.0 / 3, 0.5 };

	@Test
	void partitionAdmitsWhatTheModelAdmitsInTheSameOrder() {
		for (int seed = 1; seed <= SEEDS; seed++) {
			try {
				run(seed);
			}
			catch (AssertionError | RuntimeException ex) {
				fail("seed " + seed + " failed (rerun with run(" + seed + ")): " + ex.getMessage(), ex);
			}
		}
	}

	private void run(long seed) {
		Random random = new Random(seed);
		VirtualTimeSource time = new VirtualTimeSource();
		int cap = 1 + random.nextInt(3);
		double share = SHARES[random.nextInt(SHARES.length)];
		ThrottlePolicy policy = ThrottlePolicy.of("model", cap).withMaxWait(MAX_WAIT).withMinShare(share);
		Partition partition = new ProviderThrottler(policy, time, PartitionKeys.withRandomSecret(),
				ThrottleListener.NONE)
			.defaultPartition();
		Model model = new Model(cap, share);
		List<Integer> admitted = new ArrayList<>();
		Map<Integer, Permit> held = new LinkedHashMap<>();
		Map<Integer, CompletableFuture<Permit>> waiting = new HashMap<>();
		int nextId = 0;
		for (int step = 0; step < STEPS; step++) {
			int action = random.nextInt(100);
			if (action < 50) {
				Priority priority = Priority.ofLane(random.nextInt(Priority.COUNT));
				int id = nextId++;
				CompletableFuture<Permit> future = partition.acquireAsync(Cost.oneRequest(), priority);
				future.thenAccept((permit) -> {
					admitted.add(id);
					held.put(id, permit);
				});
				if (!future.isDone()) {
					waiting.put(id, future);
				}
				model.arrive(id, priority, time.nanoTime());
			}
			else if (action < 80) {
				if (!held.isEmpty()) {
					Integer id = pick(random, new ArrayList<>(held.keySet()));
					held.remove(id).release(null);
					model.release();
				}
			}
			else if (action < 90) {
				List<Integer> queued = model.queued();
				if (!queued.isEmpty()) {
					Integer id = pick(random, queued);
					assertThat(waiting.get(id).cancel(false)).as("cancel %d", id).isTrue();
					model.withdraw(id);
				}
			}
			else if (action < 97) {
				Duration step2 = Duration.ofMillis(random.nextInt(6000));
				time.advance(step2);
				model.expire(time.nanoTime(), MAX_WAIT.toNanos());
			}
			else {
				share = SHARES[random.nextInt(SHARES.length)];
				partition.apply(partition.policy().withMinShare(share));
				model.setShare(share);
			}
			waiting.values().removeIf(CompletableFuture::isDone);
			assertThat(admitted).as("admission order after step %d", step).isEqualTo(model.admitted);
			assertThat(partition.snapshot().queued()).as("queued after step %d", step).isEqualTo(model.queued().size());
			assertThat(partition.snapshot().inFlight()).as("in flight after step %d", step).isEqualTo(held.size());
		}
		for (CompletableFuture<Permit> future : waiting.values()) {
			future.cancel(false);
		}
		for (Permit permit : held.values()) {
			permit.release(null);
		}
		held.clear();
		// nothing is admitted after the cancellations: the held permits went back
		assertThat(partition.snapshot().queued()).isZero();
		assertThat(partition.snapshot().inFlight()).isZero();
		assertThat(partition.isQuiescent()).isTrue();
	}

	private static Integer pick(Random random, List<Integer> ids) {
		return ids.get(random.nextInt(ids.size()));
	}

	/** The lane scheduler as specified, over plain lists and exact decimals. */
	private static final class Model {

		private final int cap;

		private BigDecimal share;

		private int inFlight;

		private final List<List<long[]>> lanes = new ArrayList<>();

		private final BigDecimal[] credit = new BigDecimal[Priority.COUNT];

		final List<Integer> admitted = new ArrayList<>();

		Model(int cap, double share) {
			this.cap = cap;
			for (int i = 0; i < Priority.COUNT; i++) {
				this.lanes.add(new ArrayList<>());
				this.credit[i] = BigDecimal.ZERO;
			}
			setShare(share);
		}

		void setShare(double share) {
			// the engine counts the share in millionths of an admission
			this.share = BigDecimal.valueOf(Math.round(share * 1_000_000)).movePointLeft(6);
			drain();
		}

		void arrive(int id, Priority priority, long now) {
			if (queued().isEmpty() && this.inFlight < this.cap) {
				this.inFlight++;
				this.admitted.add(id);
				return;
			}
			this.lanes.get(priority.ordinal()).add(new long[] { id, now });
			drain();
		}

		void release() {
			this.inFlight--;
			drain();
		}

		void withdraw(int id) {
			for (int lane = 0; lane < this.lanes.size(); lane++) {
				if (this.lanes.get(lane).removeIf((entry) -> entry[0] == id)) {
					emptied(lane);
				}
			}
			drain();
		}

		void expire(long now, long maxWait) {
			for (int lane = 0; lane < this.lanes.size(); lane++) {
				if (this.lanes.get(lane).removeIf((entry) -> entry[1] + maxWait <= now)) {
					emptied(lane);
				}
			}
			drain();
		}

		List<Integer> queued() {
			List<Integer> ids = new ArrayList<>();
			for (List<long[]> lane : this.lanes) {
				lane.forEach((entry) -> ids.add((int) entry[0]));
			}
			return ids;
		}

		private void emptied(int lane) {
			if (this.lanes.get(lane).isEmpty()) {
				this.credit[lane] = BigDecimal.ZERO;
			}
		}

		private void drain() {
			while (this.inFlight < this.cap) {
				int lane = nextLane();
				if (lane < 0) {
					return;
				}
				for (int other = 1; other < Priority.COUNT; other++) {
					if (this.lanes.get(other).isEmpty()) {
						this.credit[other] = BigDecimal.ZERO;
					}
					else {
						BigDecimal grown = this.credit[other].add(this.share);
						this.credit[other] = (other == lane) ? grown.subtract(BigDecimal.ONE).max(BigDecimal.ZERO)
								: grown;
					}
				}
				long[] head = this.lanes.get(lane).remove(0);
				emptied(lane);
				this.inFlight++;
				this.admitted.add((int) head[0]);
			}
		}

		private int nextLane() {
			if (this.share.signum() > 0) {
				for (int lane = 1; lane < Priority.COUNT; lane++) {
					if (!this.lanes.get(lane).isEmpty()
							&& this.credit[lane].add(this.share).compareTo(BigDecimal.ONE) >= 0) {
						return lane;
					}
				}
			}
			for (int lane = 0; lane < Priority.COUNT; lane++) {
				if (!this.lanes.get(lane).isEmpty()) {
					return lane;
				}
			}
			return -1;
		}

	}

}
