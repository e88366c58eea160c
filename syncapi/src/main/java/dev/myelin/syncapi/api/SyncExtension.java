package dev.myelin.syncapi.api;

import tools.jackson.databind.node.ObjectNode;

/**
 * A part of the {@code /sync} response that another component fills from its own stream: the E2EE module
 * implements it for {@code to_device}, {@code device_lists}, {@code device_one_time_keys_count} and
 * {@code device_unused_fallback_key_types}. Syncapi keeps one position per extension inside its since tokens
 * (under {@link #tokenKey()}), asks each extension for its head before building a response, and lets the
 * extension add its top-level fields.
 *
 * <p>Contract: positions only grow; {@link #fill} must give the same answer for the same
 * {@code (since, upTo]} window (a client that retries a since token must see the same data), except for
 * fields the spec defines as "the current value" (key counts). When the extension's stream advances for a
 * user or device it calls {@link SyncWaker} so that waiting long polls return.
 */
public interface SyncExtension {

    /**
     * The key of this extension's position inside since tokens: 1–3 lowercase ASCII letters, unique among the
     * extensions of a server and stable across releases (a restart must still understand old tokens).
     * Syncapi's own streams use single letters from {@code r t c a p i n}; take another.
     */
    String tokenKey();

    /** The latest position of this extension's stream: what a response built now may include up to. */
    long currentPosition();

    /**
     * Adds this extension's fields to {@code response} (the top-level {@code /sync} object) for
     * {@code request}; answers whether anything changed in {@code (since, upTo]} that the client must be told
     * about (a long poll returns early only then). Values the spec requires on every response (e.g.
     * {@code device_one_time_keys_count}) are added even when this answers false.
     */
    boolean fill(SyncExtensionRequest request, ObjectNode response);
}
