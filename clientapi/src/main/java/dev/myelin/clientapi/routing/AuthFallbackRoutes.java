package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.clientapi.auth.UserInteractiveAuth;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.userapi.api.UserApi;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fallback web pages of user-interactive authentication
 * (https://spec.matrix.org/v1.19/client-server-api/#fallback): {@code GET …/auth/{type}/fallback/web?session=…}
 * serves a form for one stage, and posting it completes that stage in the session; the page then tells the
 * client ({@code onAuthDone} or {@code postMessage("authDone")}), which resubmits its request with the session
 * alone. Stages: {@code m.login.password} (the password of the user who started the session),
 * {@code m.login.registration_token} and {@code m.login.dummy}. A missing or unknown session and an unknown stage
 * answer Matrix errors (JSON), as any endpoint; a failed stage shows the form again with the reason.
 */
final class AuthFallbackRoutes {
    private static final String[] PREFIXES = {"/_matrix/client/v3", "/_matrix/client/r0"};

    private final UserApi users;
    private final UserInteractiveAuth uia;
    private final RateLimiter loginLimiter;
    private final RateLimiter registrationLimiter;

    AuthFallbackRoutes(UserApi users, UserInteractiveAuth uia, RateLimiter loginLimiter, RateLimiter registrationLimiter) {
        this.users = users;
        this.uia = uia;
        this.loginLimiter = loginLimiter;
        this.registrationLimiter = registrationLimiter;
    }

    void addTo(Router router) {
        for (String prefix : PREFIXES) {
            router.get(prefix + "/auth/{authType}/fallback/web", this::form);
            router.post(prefix + "/auth/{authType}/fallback/web", this::submit);
        }
    }

    /** A stage this page can complete: what the form asks for and how the answer is checked. */
    private record Stage(String title, String prompt, Optional<String> field, String inputType,
                         UserInteractiveAuth.StageCheck check) {}

    private Stage stage(String type) {
        return switch (type) {
            case AuthStages.PASSWORD -> new Stage("Confirm your identity", "Enter your password to continue.",
                    Optional.of("password"), "password", AuthStages.passwordOfSessionUser(users, loginLimiter));
            case AuthStages.REGISTRATION_TOKEN -> new Stage("Registration token",
                    "Enter the registration token you were given.", Optional.of("token"), "text",
                    AuthStages.registrationToken(users));
            case AuthStages.DUMMY -> new Stage("Continue", "Confirm to continue.", Optional.empty(), "", (auth, s) -> { });
            default -> throw MatrixException.unrecognized("There is no fallback page for the stage " + type, 404);
        };
    }

    private Reply form(HttpCall call) {
        String type = call.pathParam("authType");
        Stage stage = stage(type);
        String session = call.queryParam("session").orElseThrow(() -> MatrixException.missingParam("'session' is required"));
        uia.session(session); // why: an unknown or expired session is answered before the user types anything
        return page(200, formHtml(stage, session, Optional.empty()));
    }

    private Reply submit(HttpCall call) {
        String type = call.pathParam("authType");
        Stage stage = stage(type);
        Map<String, String> form = formFields(call);
        String session = Optional.ofNullable(form.get("session")).or(() -> call.queryParam("session"))
                .orElseThrow(() -> MatrixException.missingParam("'session' is required"));
        ObjectNode auth = JsonNodeFactory.instance.objectNode();
        stage.field().ifPresent(f -> {
            String value = form.get(f);
            if (value != null) auth.put(f, value);
        });
        uia.session(session);
        // why: as /register itself, so the page is no faster way to guess registration tokens
        if (type.equals(AuthStages.REGISTRATION_TOKEN)) registrationLimiter.acquire("register:" + call.remoteAddress());
        try {
            uia.completeStage(session, type, auth, stage.check());
        } catch (MatrixException e) {
            if (e.status() == 429 || e.errcode().equals("M_UNRECOGNIZED") || e.errcode().equals("M_UNKNOWN")) throw e;
            return page(e.status(), formHtml(stage, session, Optional.of(e.getMessage())));
        }
        return page(200, DONE_HTML);
    }

    /** The fields of an {@code application/x-www-form-urlencoded} body. */
    private static Map<String, String> formFields(HttpCall call) {
        Map<String, String> out = new HashMap<>();
        String body = new String(call.bodyBytes(), StandardCharsets.UTF_8);
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.putIfAbsent(name, value);
            } catch (IllegalArgumentException e) {
                throw MatrixException.badJson("The form is not valid application/x-www-form-urlencoded");
            }
        }
        return out;
    }

    private static String formHtml(Stage stage, String session, Optional<String> error) {
        StringBuilder html = new StringBuilder(HEAD).append("<h1>").append(escape(stage.title())).append("</h1>\n");
        html.append("<p>").append(escape(stage.prompt())).append("</p>\n");
        error.ifPresent(e -> html.append("<p class=\"error\" role=\"alert\">").append(escape(e)).append("</p>\n"));
        html.append("<form method=\"post\">\n<input type=\"hidden\" name=\"session\" value=\"").append(escape(session)).append("\">\n");
        stage.field().ifPresent(f -> html.append("<input type=\"").append(stage.inputType()).append("\" name=\"").append(f)
                .append("\" autofocus required>\n"));
        html.append("<button type=\"submit\">Continue</button>\n</form>\n</body>\n</html>\n");
        return html.toString();
    }

    private static final String HEAD = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Authentication</title>
            <style>body{font-family:sans-serif;max-width:28em;margin:3em auto;padding:0 1em}.error{color:#b00}\
            input,button{font-size:1em;padding:.4em;margin:.3em 0;display:block}</style>
            </head>
            <body>
            """;

    /** The spec's completion script, verbatim in behaviour. */
    private static final String DONE_HTML = HEAD + """
            <h1>Done</h1>
            <p>You may close this window and return to your application.</p>
            <script>
            if (window.onAuthDone) {
                window.onAuthDone();
            } else if (window.opener && window.opener.postMessage) {
                window.opener.postMessage("authDone", "*");
            }
            </script>
            </body>
            </html>
            """;

    private static Reply page(int status, String html) {
        return Reply.raw(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8))
                // why: a page that takes a password must not be framed by another site (clickjacking)
                .withHeader("X-Frame-Options", "DENY")
                .withHeader("Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
                .withHeader("Cache-Control", "no-store");
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }
}
