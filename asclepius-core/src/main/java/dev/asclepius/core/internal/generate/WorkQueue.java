package dev.asclepius.core.internal.generate;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What the generation thread works on: requests waiting to start or join, and other callers' tasks
 * ({@link Scheduler#call}). The thread blocks here while there is nothing to do and wakes on arrival, on
 * close, or at a deadline it names (the prefix cache's expiry); callers can wait until it is idle.
 *
 * <p>One monitor guards everything; no caller code runs while it is held (futures are completed by the
 * caller of these methods, outside it).
 */
final class WorkQueue {
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean busy;     // the generation thread is working, not waiting here
    private boolean closed;

    /** Queues requests that start together (one batch when the thread is idle); false when closed. */
    synchronized boolean submit(List<Request> requests) {
        if (closed) {
            return false;
        }
        waiting.addAll(requests);
        notifyAll();
        return true;
    }

    /** Queues a task; false when the queue is closed (the task is then not queued). */
    synchronized boolean task(Runnable task) {
        if (closed) {
            return false;
        }
        tasks.add(task);
        notifyAll();
        return true;
    }

    /** Forgets a request that has not started (its caller gave up on it). */
    synchronized void remove(Request request) {
        waiting.remove(request);
    }

    /**
     * Generation thread: blocks until a task or a request waits, the queue closes, or {@code deadline}
     * ({@link System#nanoTime()} scale; {@code Long.MAX_VALUE}: none) passes. The thread counts as idle
     * while it waits here and busy from its return until it calls again.
     *
     * @return false when the queue is closed (the thread should end)
     */
    synchronized boolean awaitWork(long deadline) throws InterruptedException {
        busy = false;
        notifyAll();   // idle: wakes awaitIdle
        while (!closed && tasks.isEmpty() && waiting.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            if (deadline == Long.MAX_VALUE) {
                wait();
            } else {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        busy = true;
        return !closed;
    }

    /** The next task, if any. */
    synchronized Runnable pollTask() {
        return tasks.poll();
    }

    /**
     * The first waiting request if {@code accept} takes it (first in, first served: later requests wait
     * behind one that does not fit yet); requests their callers abandoned are dropped on the way.
     */
    synchronized Request pollIf(Predicate<Request> accept) {
        while (!waiting.isEmpty() && waiting.peek().abandoned()) {
            waiting.poll();
        }
        Request head = waiting.peek();
        if (head == null || !accept.test(head)) {
            return null;
        }
        return waiting.poll();
    }

    /** Waits (at most {@code timeout}) until the generation thread is idle with nothing queued. */
    synchronized void awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (busy || !waiting.isEmpty() || !tasks.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || closed) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Closes the queue and takes out the requests that never started (the caller fails them). */
    synchronized List<Request> close() {
        closed = true;
        List<Request> never = new ArrayList<>(waiting);
        waiting.clear();
        notifyAll();
        return never;
    }

    /** Tasks left after close (the generation thread runs them: they fail fast on the closed model). */
    synchronized List<Runnable> drainTasks() {
        List<Runnable> left = new ArrayList<>(tasks);
        tasks.clear();
        return left;
    }
}
