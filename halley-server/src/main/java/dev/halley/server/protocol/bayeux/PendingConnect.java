package dev.halley.server.protocol.bayeux;

/**
 * A {@code /meta/connect} processed but not answered: the last message of its batch, answered at
 * once ({@link #holdMillis} 0) or held by its door until messages arrive or the hold times out.
 * Its answer is made by {@link BayeuxEngine#answerConnect} when it ends.
 */
final class PendingConnect {
    final BayeuxSession session;
    final Inbound message;
    /** How long the door may hold it; 0 answers at once. */
    final long holdMillis;
    private boolean multipleClients;

    PendingConnect(BayeuxSession session, Inbound message, long holdMillis) {
        this.session = session;
        this.message = message;
        this.holdMillis = holdMillis;
    }

    /** Another tab of this browser holds its long-poll: answer at once, advising to poll. */
    void multipleClients() {
        multipleClients = true;
    }

    boolean isMultipleClients() {
        return multipleClients;
    }

    /** The interval the answer advises, to be added to the session's expiry. */
    long advisedInterval() {
        return multipleClients ? BayeuxSessions.MULTI_CLIENT_INTERVAL : 0;
    }

    @Override
    public String toString() {
        return "PendingConnect[" + session.id() + ", hold=" + holdMillis + "ms" + (multipleClients ? ", multiple-clients" : "") + "]";
    }
}
