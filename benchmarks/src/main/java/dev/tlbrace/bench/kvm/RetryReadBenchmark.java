package dev.tlbrace.bench.kvm;

import dev.tlbrace.bench.Pacer;
import dev.tlbrace.bench.mm.Subscribers;
import dev.tlbrace.model.kvm.KvmMmuNotifier;
import dev.tlbrace.model.mem.PageTable;
import dev.tlbrace.model.mm.MmuNotifierRange;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Family 2, the reader's side: reading a translation (two PTEs that change together) under
 * a concurrent writer, with KVM's mmu_invalidate_seq / in_progress retry (the model's own
 * {@code Kvm} and {@code KvmMmuNotifier}) against what a Java engineer would pick instead:
 * StampedLock optimistic read, ReentrantReadWriteLock, and no synchronisation (the floor,
 * which may return torn pairs). {@code reads} and {@code retries} are counted per operation.
 * <p>The writer is paced ({@link Pacer}) at one write per {@code writePeriodNs}, so every peer's
 * reader faces the same write rate (the {@code writer} score shows the rate achieved); a
 * writer left flat out runs at a different speed per peer and the comparison measures the
 * writer. {@code readerAlone} is each peer's uncontended cost. {@code -tg N,1} runs N readers.
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar 'RetryReadBenchmark.read_vs_write' -tg 1,1 -f 1 -wi 1 -i 2 -w 1s -r 1s}</pre>
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RetryReadBenchmark {

    /** The protocols a reader can use. */
    public enum Peer { SEQ_RETRY, STAMPED_OPTIMISTIC, RW_LOCK, UNSYNCHRONIZED }

    @Param({"SEQ_RETRY", "STAMPED_OPTIMISTIC", "RW_LOCK", "UNSYNCHRONIZED"})
    Peer peer;

    /** One write per period (1 us: heavy, 10 us: light); 0 leaves the writer flat out. */
    @Param({"1000", "10000"})
    long writePeriodNs;

    private Subscribers w;
    private KvmMmuNotifier kvmNotifier;
    private PageTable pt;
    private final StampedLock stamped = new StampedLock();
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    private final MmuNotifierRange range = new MmuNotifierRange(1, 3, MmuNotifierRange.Event.CLEAR);

    @Setup
    public void setUp() {
        w = new Subscribers(4, 0);
        kvmNotifier = new KvmMmuNotifier(w.kvm);
        pt = w.mm.pgtable;
    }

    /** The writer's own state, in its own (padded) object: no false sharing with the reader. */
    @State(Scope.Thread)
    public static class Writer {
        long value = 1;
        Pacer pace;

        @Setup
        public void setUp(RetryReadBenchmark b) {
            pace = new Pacer(b.writePeriodNs);
        }
    }

    /** Successful reads and retries, so a high rate cannot hide spinning. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Reads {
        public long reads;
        public long retries;
    }

    @Benchmark
    @Group("read_vs_write")
    @GroupThreads(1)
    public long reader(Reads r) {
        return read(r);
    }

    /** The same read with no writer: the peer's uncontended cost. */
    @Benchmark
    @Group("reader_alone")
    public long readerAlone(Reads r) {
        return read(r);
    }

    private long read(Reads r) {
        switch (peer) {
            case SEQ_RETRY -> {
                for (;;) {
                    long seq = w.kvm.mmuInvalidateSeq();
                    w.kvm.mem.smp_rmb();
                    long a = pt.ptepGet(1);
                    long b = pt.ptepGet(2);
                    if (!w.kvm.mmuInvalidateRetry(seq)) {
                        r.reads++;
                        return a ^ b;
                    }
                    r.retries++;
                }
            }
            case STAMPED_OPTIMISTIC -> {
                for (;;) {
                    long stamp = stamped.tryOptimisticRead();
                    long a = pt.ptepGet(1);
                    long b = pt.ptepGet(2);
                    if (stamp != 0 && stamped.validate(stamp)) {
                        r.reads++;
                        return a ^ b;
                    }
                    r.retries++;
                }
            }
            case RW_LOCK -> {
                rw.readLock().lock();
                try {
                    r.reads++;
                    return pt.ptepGet(1) ^ pt.ptepGet(2);
                } finally {
                    rw.readLock().unlock();
                }
            }
            default -> {
                r.reads++;
                return pt.ptepGet(1) ^ pt.ptepGet(2);
            }
        }
    }

    @Benchmark
    @Group("read_vs_write")
    @GroupThreads(1)
    public void writer(Writer me) {
        me.pace.await();
        long v = dev.tlbrace.model.mem.Pte.make((me.value++ & 0xffff) + 1, dev.tlbrace.model.mem.Pte.PRESENT);
        switch (peer) {
            case SEQ_RETRY -> {
                kvmNotifier.invalidateRangeStart(range); // mmu_lock, in_progress++
                pt.setPteAt(1, v);
                pt.setPteAt(2, v);
                kvmNotifier.invalidateRangeEnd(range);   // seq++, smp_wmb, in_progress--
            }
            case STAMPED_OPTIMISTIC -> {
                long s = stamped.writeLock();
                pt.setPteAt(1, v);
                pt.setPteAt(2, v);
                stamped.unlockWrite(s);
            }
            case RW_LOCK -> {
                rw.writeLock().lock();
                pt.setPteAt(1, v);
                pt.setPteAt(2, v);
                rw.writeLock().unlock();
            }
            default -> {
                pt.setPteAt(1, v);
                pt.setPteAt(2, v);
            }
        }
    }
}
