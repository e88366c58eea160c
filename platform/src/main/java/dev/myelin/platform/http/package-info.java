/**
 * The HTTP layer every listener shares: Jetty core handlers (no servlets), endpoints on virtual threads, our own
 * {@link dev.myelin.platform.http.Router}, and the Matrix error model. A component adds its endpoints at start-up;
 * each reads top to bottom in one screen:
 *
 * <pre>{@code
 * record SetDisplayName(String displayname) {}
 *
 * router.put("/_matrix/client/v3/profile/{userId}/displayname", call -> {
 *     UserId user = UserId.parse(call.pathParam("userId"));          // percent-decoded
 *     Device device = auth.requireDevice(call.accessToken());         // throws MatrixException (401 M_MISSING_TOKEN …)
 *     if (!device.userId().equals(user)) throw MatrixException.forbidden("Cannot set another user's display name");
 *     profiles.setDisplayName(user, call.json(SetDisplayName.class).displayname());  // bad body: 400 M_NOT_JSON / M_BAD_JSON
 *     return Reply.empty();                                           // 200 {}
 * });
 * }</pre>
 *
 * What the layer does around every endpoint: a request ID (the {@code X-Request-Id} header and {@code request_id} in
 * the log context), CORS headers and preflights, 404/405 {@code M_UNRECOGNIZED}, the body size limit (413
 * {@code M_TOO_LARGE}, checked against Content-Length and counted while reading), rendering of
 * {@link dev.myelin.platform.http.MatrixException}, 500 {@code M_UNKNOWN} (logged, never described to the client) for
 * anything else, and the {@code myelin_http_requests} metric by route template and status.
 */
package dev.myelin.platform.http;
