package dev.myelin.clientapi.routing;

/**
 * What the send endpoint asks the index of relations before sending an annotation
 * (https://spec.matrix.org/v1.19/client-server-api/#avoiding-duplicate-annotations): has this user already sent
 * an annotation with this event type and key to this event, which is not redacted? Syncapi keeps that index; a
 * process without it sends unchecked ({@link #NONE}).
 */
@FunctionalInterface
public interface Annotations {

    /**
     * An annotation about to be sent; {@code deviceId} and {@code txnId} identify the request, so that a retry of
     * the request that sent the existing annotation is not called a duplicate.
     */
    record Annotation(String roomId, String sender, String deviceId, String txnId, String eventType, String relatesTo,
                      String key) {}

    /** Whether {@code annotation} was sent already by an earlier request. */
    boolean alreadySent(Annotation annotation);

    Annotations NONE = annotation -> false;
}
