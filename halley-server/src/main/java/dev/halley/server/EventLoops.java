package dev.halley.server;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;

/** Handing work to the event loop that owns a connection's (or a session's) state. */
public final class EventLoops {
    private EventLoops() {
    }

    /**
     * Runs {@code task} on {@code loop} as a new task (from a broker thread, the timer or the loop
     * itself). A loop that is shutting down with the server refuses it: the connection goes with it.
     */
    public static void execute(EventExecutor loop, Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down with the server; what the task was for goes with it.
        }
    }

    /**
     * Runs {@code task} on {@code loop}: at once when called there (an embedded broker answers
     * synchronously, so replies keep the order of the requests), else as a new task.
     */
    public static void onLoop(EventExecutor loop, Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            execute(loop, task);
        }
    }
}
