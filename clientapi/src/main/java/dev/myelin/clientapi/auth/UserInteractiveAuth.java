package dev.myelin.clientapi.auth;

import dev.myelin.clientapi.storage.UiaSessionsTable;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * User-interactive authentication (https://spec.matrix.org/v1.19/client-server-api/#user-interactive-authentication-api):
 * sessions that remember which stages a client completed for one request, and the 401 answers that tell it what
 * is left ({@code flows}, {@code params}, {@code session}, {@code completed}, and {@code errcode}/{@code error}
 * after a failed stage). A session is bound to the request (method, path, user) that created it, so a session
 * completed for one action cannot authorise another, and it can finish only once. Sessions are stored in the
 * clientapi database, so any clientapi process can continue one, and live {@link #SESSION_LIFETIME}.
 */
public final class UserInteractiveAuth {
    public static final Duration SESSION_LIFETIME = Duration.ofMinutes(15);
    // why: kept among the session's data so no schema change is needed; stages never write this key
    private static final String USER_KEY = "uia.user_id";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One way to complete authentication: stages in order. */
    public record Flow(List<String> stages) {
        public Flow {
            stages = List.copyOf(stages);
        }

        public static Flow of(String... stages) { return new Flow(List.of(stages)); }
    }

    /** Checks one stage's {@code auth} dict; throws a {@link MatrixException} (e.g. M_FORBIDDEN) when it fails. */
    @FunctionalInterface
    public interface StageCheck {
        void check(ObjectNode auth, Session session);
    }

    /** What the caller gets back: authentication is complete, or the 401 to answer with. */
    public sealed interface Outcome {}

    /** Every stage of a flow is done; {@code session} holds what the stages recorded. */
    public record Done(Session session) implements Outcome {}

    /** The reply to send: the 401 with the flows and progress. */
    public record Challenge(Reply reply) implements Outcome {}

    /** An authentication session. {@code data} is what stages record for the action (e.g. a registration token). */
    public static final class Session {
        private final String id;
        private final String binding;
        private final List<Flow> flows;
        private final Map<String, Object> params;
        private final LinkedHashSet<String> completed;
        private final Map<String, String> data;

        Session(String id, String binding, List<Flow> flows, Map<String, Object> params, List<String> completed,
                Map<String, String> data) {
            this.id = id;
            this.binding = binding;
            this.flows = List.copyOf(flows);
            this.params = Map.copyOf(params);
            this.completed = new LinkedHashSet<>(completed);
            this.data = new LinkedHashMap<>(data);
        }

        public String id() { return id; }

        /** Values stages record for the action; changes are stored with the stage's completion. */
        public Map<String, String> data() { return data; }

        /** The user who started the session (re-authentication for an account action); empty for registration. */
        public Optional<String> userId() { return Optional.ofNullable(data.get(USER_KEY)); }

        List<String> completed() { return new ArrayList<>(completed); }

        boolean finished() {
            for (Flow flow : flows) {
                if (completed.containsAll(flow.stages())) return true;
            }
            return false;
        }

        boolean offers(String stage) {
            return flows.stream().anyMatch(f -> f.stages().contains(stage));
        }
    }

    private final Database db;
    private final SecureRandom random;
    private final Clock clock;

    public UserInteractiveAuth(Database db, SecureRandom random, Clock clock) {
        this.db = db;
        this.random = random;
        this.clock = clock;
    }

    /**
     * Runs one round of UIA for a request: {@code body.auth} (may be absent) against the {@code flows} this
     * action offers. {@code binding} names the action (e.g. {@code "POST /register"}); {@code checks} verifies
     * each stage type the flows use.
     */
    public Outcome authenticate(ObjectNode body, String binding, List<Flow> flows, Map<String, Object> params,
            Map<String, StageCheck> checks) {
        return authenticate(body, binding, Optional.empty(), flows, params, checks);
    }

    /**
     * As {@link #authenticate(ObjectNode, String, List, Map, Map)} for an action of the logged-in {@code userId}:
     * the session remembers whose it is, so a stage completed out of band (the fallback page) proves that user.
     */
    public Outcome authenticate(ObjectNode body, String binding, Optional<String> userId, List<Flow> flows,
            Map<String, Object> params, Map<String, StageCheck> checks) {
        JsonNode authNode = body.get("auth");
        if (authNode == null || authNode.isNull()) {
            return challenge(newSession(binding, userId, flows, params), Optional.empty());
        }
        if (!(authNode instanceof ObjectNode auth)) throw MatrixException.badJson("'auth' must be an object");
        JsonNode sessionNode = auth.get("session");
        Session session;
        if (sessionNode == null || sessionNode.isNull()) {
            session = newSession(binding, userId, flows, params);
        } else {
            if (!sessionNode.isString()) throw MatrixException.badJson("'auth.session' must be a string");
            session = load(sessionNode.asString())
                    .orElseThrow(() -> new MatrixException("M_UNKNOWN", "Unknown or expired authentication session", 400));
            if (!session.binding.equals(binding)) {
                throw MatrixException.forbidden("The authentication session was started for a different request");
            }
        }
        JsonNode typeNode = auth.get("type");
        if (typeNode == null || typeNode.isNull()) {
            // A client asking for the state of its session (e.g. after completing a fallback stage).
            return session.finished() ? done(session) : challenge(session, Optional.empty());
        }
        if (!typeNode.isString()) throw MatrixException.badJson("'auth.type' must be a string");
        String type = typeNode.asString();
        StageCheck check = checks.get(type);
        if (check == null || !session.offers(type)) {
            return challenge(session, Optional.of(new MatrixException("M_UNRECOGNIZED",
                    "The authentication type " + type + " is not offered here", 400)));
        }
        try {
            check.check(auth, session);
        } catch (MatrixException e) {
            if (e.status() == 429) throw e;
            save(session);
            return challenge(session, Optional.of(e));
        }
        session.completed.add(type);
        if (session.finished()) return done(session);
        save(session);
        return challenge(session, Optional.empty());
    }

    /**
     * Completes stage {@code type} of session {@code sessionId} out of band (the fallback web page): the check runs
     * against {@code auth} (the page's form); the client then resubmits its request with the session alone.
     * M_UNKNOWN for an unknown or expired session, M_UNRECOGNIZED when the session offers no such stage; a failed
     * check throws its own error and leaves the session as it was.
     */
    public void completeStage(String sessionId, String type, ObjectNode auth, StageCheck check) {
        Session session = session(sessionId);
        if (!session.offers(type)) {
            throw MatrixException.unrecognized("The authentication session does not offer " + type, 400);
        }
        check.check(auth, session);
        session.completed.add(type);
        save(session);
    }

    /** The live session {@code sessionId}, or M_UNKNOWN. */
    public Session session(String sessionId) {
        return load(sessionId)
                .orElseThrow(() -> new MatrixException("M_UNKNOWN", "Unknown or expired authentication session", 400));
    }

    private Outcome done(Session session) {
        // why: deleting is the claim; of two requests finishing one session at once, only one proceeds
        if (!db.write(c -> UiaSessionsTable.delete(c, session.id))) {
            throw new MatrixException("M_UNKNOWN", "Unknown or expired authentication session", 400);
        }
        return new Done(session);
    }

    private Session newSession(String binding, Optional<String> userId, List<Flow> flows, Map<String, Object> params) {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        Map<String, String> data = userId.map(u -> Map.of(USER_KEY, u)).orElse(Map.of());
        Session session = new Session(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), binding, flows, params,
                List.of(), data);
        long now = clock.millis();
        UiaSessionsTable.Row row = new UiaSessionsTable.Row(session.id, binding, JSON.writeValueAsString(flows),
                JSON.writeValueAsString(params), "[]", JSON.writeValueAsString(data), now);
        db.write(c -> {
            UiaSessionsTable.deleteOlderThan(c, now - SESSION_LIFETIME.toMillis());
            UiaSessionsTable.insert(c, row);
            return null;
        });
        return session;
    }

    private Optional<Session> load(String id) {
        long notBefore = clock.millis() - SESSION_LIFETIME.toMillis();
        return db.read(c -> UiaSessionsTable.select(c, id, notBefore)).map(row -> new Session(row.sessionId(), row.binding(),
                JSON.readValue(row.flowsJson(), new TypeReference<List<Flow>>() {}),
                JSON.readValue(row.paramsJson(), new TypeReference<Map<String, Object>>() {}),
                JSON.readValue(row.completedJson(), new TypeReference<List<String>>() {}),
                JSON.readValue(row.dataJson(), new TypeReference<Map<String, String>>() {})));
    }

    private void save(Session session) {
        String completed = JSON.writeValueAsString(session.completed());
        String data = JSON.writeValueAsString(session.data);
        db.write(c -> {
            UiaSessionsTable.updateProgress(c, session.id, completed, data);
            return null;
        });
    }

    private static Challenge challenge(Session session, Optional<MatrixException> error) {
        Map<String, Object> body = new LinkedHashMap<>();
        error.ifPresent(e -> {
            body.put("errcode", e.errcode());
            body.put("error", e.getMessage());
        });
        List<Map<String, Object>> flows = new ArrayList<>();
        for (Flow f : session.flows) flows.add(Map.of("stages", f.stages()));
        body.put("flows", flows);
        body.put("params", session.params);
        body.put("session", session.id);
        List<String> completed = session.completed();
        if (!completed.isEmpty()) body.put("completed", completed);
        return new Challenge(Reply.json(401, body));
    }
}
